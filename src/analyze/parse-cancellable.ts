/**
 * Parsing a large file so that Ctrl-C can stop it. The parsers are synchronous (text -> rows); a
 * 500 MB log keeps the event loop busy for many seconds, and the REPL's cancel key (or a notebook
 * cell's signal) is only read between tasks. When the REPL line or notebook cell has a cancel
 * signal and the text is large, the parser runs in a worker thread that is terminated the moment
 * the signal aborts (within a second, not at the end of the parse); otherwise it runs in place.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { hasAmbientSignal, runOptions } from "../run-context";

/** The parsers that may run in a worker: name -> module (relative to this folder). */
const PARSERS = {
  parseGcLog: "../parse/gc-log",
  parseGcInspector: "../parse/gc-inspector",
  parseSystemLog: "../parse/system-log",
  parseNodeLogs: "./logs/log-node",
  parseLogChunk: "./logs/log-chunks",
} as const;
export type CancellableParser = keyof typeof PARSERS;

/** Texts at least this long go to a worker when a cancel signal is there (below, a parse takes well under a second). */
export const WORKER_MIN_CHARS = 16 * 2 ** 20;

function inPlace<T>(parser: CancellableParser, args: unknown[]): T {
  const mod = require(PARSERS[parser]) as Record<string, (...a: unknown[]) => T>;
  return mod[parser](...args);
}

/**
 * Run `parser(...args)` (args[0] is the text), in a worker when it is large and cancellable.
 * Rejects with the signal's reason when cancelled.
 * @example const parse = await parseCancellable<GcParse>("parseGcLog", [text])
 */
export async function parseCancellable<T>(parser: CancellableParser, args: unknown[], signal?: AbortSignal): Promise<T> {
  const sig = signal ?? runOptions().signal;
  sig.throwIfAborted();
  const text = args[0];
  if (typeof text !== "string" || text.length < WORKER_MIN_CHARS || (!signal && !hasAmbientSignal())) return inPlace<T>(parser, args);
  const ext = path.extname(__filename);
  const modulePath = path.join(__dirname, `${PARSERS[parser]}${ext}`);
  // The text travels as UTF-8 chunks in transferred buffers, encoded a few MB at a time between
  // turns of the event loop: structured-cloning (or encoding at once) a 47 MB log held the main
  // thread for 1.2-1.5 s here, during which no cancel could be read. A cancel meanwhile rejects.
  const chunks = await utf8Chunks(text, sig);
  let worker: Worker;
  try {
    const [, ...rest] = cloneableArgs(args);
    worker = newWorker(
      ext,
      { modulePath, fn: parser, args: [null, ...rest], textChunks: chunks },
      undefined,
      chunks.map((c) => c.buffer as ArrayBuffer),
    );
  } catch {
    return inPlace<T>(parser, args); // e.g. an argument that cannot be cloned: parse here
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      void worker.terminate();
      reject(sig.reason);
    };
    sig.addEventListener("abort", onAbort, { once: true });
    const done = () => sig.removeEventListener("abort", onAbort);
    worker.once("message", (m: { ok: boolean; value?: T; message?: string; name?: string }) => {
      done();
      void worker.terminate();
      if (m.ok) resolve(m.value as T);
      else reject(workerError(m));
    });
    worker.once("error", (e) => {
      done();
      reject(e);
    });
  });
}

/**
 * Worker threads that run tasks one after another (logs() parses several nodes at once this way:
 * one task per node, `size` at a time). A task function may be async and may report progress: it
 * gets a progress callback as its last argument, whose calls arrive as `onProgress`. Cancel
 * terminates the task's worker at once and rejects with the signal's reason; close() ends them all.
 * @example const pool = new WorkerPool(2); try { await Promise.all(tasks.map((t) => pool.run("parseNodeLogs", [t]))) } finally { await pool.close() }
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiting: ((w: Worker) => void)[] = [];
  private nextId = 0;
  private readonly ext = path.extname(__filename);

  /** `resourceLimits`: each worker's V8 heap limits (a smaller old generation makes it collect sooner: lower peak memory). */
  constructor(
    private readonly size: number,
    private readonly resourceLimits?: import("node:worker_threads").ResourceLimits,
  ) {}

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.all.size < this.size) {
      const fresh = newWorker(this.ext, { serve: true }, this.resourceLimits);
      fresh.unref();
      this.all.add(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker, dead: boolean): void {
    if (dead) {
      this.all.delete(w);
      void w.terminate();
      const next = this.waiting.shift();
      if (next) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  async run<T>(parser: CancellableParser, args: unknown[], options: { signal?: AbortSignal; onProgress?: (p: never) => void } = {}): Promise<T> {
    const sig = options.signal ?? runOptions().signal;
    sig.throwIfAborted();
    const worker = await this.acquire();
    const id = this.nextId++;
    const modulePath = path.join(__dirname, `${PARSERS[parser]}${this.ext}`);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (dead: boolean, then: () => void) => {
        if (settled) return;
        settled = true;
        sig.removeEventListener("abort", onAbort);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        this.release(worker, dead);
        then();
      };
      const onAbort = () => finish(true, () => reject(sig.reason));
      const onMessage = (m: { id: number; progress?: never; ok?: boolean; value?: T; message?: string; name?: string }) => {
        if (m.id !== id) return;
        if (m.progress !== undefined) {
          if (!settled) options.onProgress?.(m.progress);
          return;
        }
        finish(false, () => (m.ok ? resolve(m.value as T) : reject(workerError(m))));
      };
      const onError = (e: Error) => finish(true, () => reject(e));
      const onExit = (code: number) => finish(true, () => reject(new Error(`the ${parser} worker stopped (exit code ${code}) before it answered`)));
      sig.addEventListener("abort", onAbort, { once: true });
      worker.on("message", onMessage).once("error", onError).once("exit", onExit);
      worker.postMessage({ id, modulePath, fn: parser, args: cloneableArgs(args), progress: !!options.onProgress });
    });
  }

  /** End every worker. */
  async close(): Promise<void> {
    const ws = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** The worker (./parse-worker.ts). Run from the TypeScript sources (tests, benches under tsx), it registers tsx first. */
function newWorker(
  ext: string,
  workerData: Record<string, unknown>,
  resourceLimits?: import("node:worker_threads").ResourceLimits,
  transferList?: ArrayBuffer[],
): Worker {
  const file = path.join(__dirname, `parse-worker${ext}`);
  const limits = { ...(resourceLimits ? { resourceLimits } : {}), ...(transferList ? { transferList } : {}) };
  if (ext !== ".ts") return new Worker(file, { workerData, ...limits });
  return new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`, { eval: true, workerData, ...limits });
}

/** Characters encoded per turn of the event loop (about 0.1 s each on a busy machine). */
const ENCODE_CHUNK_CHARS = 4 * 2 ** 20;

/** `text` as UTF-8 chunks, yielding to the event loop between chunks so a cancel is read within a chunk's time. */
async function utf8Chunks(text: string, signal: AbortSignal): Promise<Uint8Array[]> {
  const encoder = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + ENCODE_CHUNK_CHARS);
    // Never split a surrogate pair between two chunks.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(encoder.encode(text.slice(i, end)));
    i = end;
    await new Promise((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  }
  return out;
}

/** True when `e` is a cancellation (an AbortSignal's reason). */
export function isCancel(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError");
}

/**
 * Arguments a worker can receive: a compiled log layout holds functions (its date parser), which
 * structured clone refuses, so it travels as its pattern and name and is compiled again in the
 * worker (compileLayout is a pure function of the two: ./parse-worker.ts).
 */
function cloneableArgs(args: unknown[]): unknown[] {
  const [text, options, ...rest] = args;
  const layout = (options as { layout?: { pattern: string; name: string } } | undefined)?.layout;
  if (!layout) return args;
  const { layout: _compiled, ...plain } = options as Record<string, unknown>;
  return [text, { ...plain, layoutSource: { pattern: layout.pattern, name: layout.name } }, ...rest];
}

/** The error a worker reported, rebuilt in this thread with its name, hint and noEvidence flag. */
function workerError(m: { message?: string; name?: string; hint?: string; noEvidence?: true }): Error {
  const e = Object.assign(new Error(m.message), { name: m.name ?? "Error" });
  if (m.hint !== undefined) Object.assign(e, { hint: m.hint });
  if (m.noEvidence) Object.assign(e, { noEvidence: true });
  return e;
}
