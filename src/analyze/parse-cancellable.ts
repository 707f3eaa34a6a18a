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
  parseNodeLogsColumns: "./logs/log-node-columns",
  parseLogChunk: "./logs/log-chunks",
} as const;
export type CancellableParser = keyof typeof PARSERS;

/**
 * A task's result may name buffers to transfer (move) to the main thread rather than copy, under this key
 * (non-enumerable; a symbol key is never cloned): ./parse-worker.ts posts the result with them as its transfer list.
 */
export const TRANSFER_LIST = Symbol.for("cassperf.transferList");

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

/** A task given to a {@link WorkerPool}: waiting, or in flight on one worker. */
interface PoolTask {
  id: number;
  message: { id: number; modulePath: string; fn: string; args: unknown[]; progress: boolean };
  parser: string;
  signal: AbortSignal;
  onProgress?: (p: never) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Worker threads that run tasks (logs() parses several nodes at once this way: one task per node,
 * `size` at a time). Tasks start in the order they were given (logs() gives the largest nodes
 * first). A task function may be async and may report progress: it gets a progress callback as its
 * last argument, whose calls arrive as `onProgress`. A worker gets its next task the moment it
 * answers, before its answer is handled here; with `perWorker` 2, while more tasks wait than there
 * are workers, the next task already waits in the worker (which runs its tasks one after another),
 * so it never waits for this thread.
 * Cancel rejects with the signal's reason: a waiting task is dropped, a running one's worker is
 * terminated at once (other tasks it held are given to another worker); close() ends them all.
 * @example const pool = new WorkerPool(2); try { await Promise.all(tasks.map((t) => pool.run("parseNodeLogs", [t]))) } finally { await pool.close() }
 */
export class WorkerPool {
  private readonly pending: PoolTask[] = [];
  /** Each live worker and the tasks it holds (running first). */
  private readonly busy = new Map<Worker, PoolTask[]>();
  /** One abort listener per signal (not one per task: a bundle of many nodes would pass Node's 10-listener warning). */
  private readonly bySignal = new Map<AbortSignal, { tasks: Set<PoolTask>; onAbort: () => void }>();
  private nextId = 0;
  private closed = false;
  private readonly ext = path.extname(__filename);

  /**
   * `resourceLimits`: each worker's V8 heap limits (a smaller old generation makes it collect sooner: lower peak memory).
   * `perWorker`: tasks held by one worker at once (2: the next one waits there while the current one runs).
   */
  constructor(
    private readonly size: number,
    private readonly resourceLimits?: import("node:worker_threads").ResourceLimits,
    private readonly perWorker = 1,
  ) {}

  run<T>(parser: CancellableParser, args: unknown[], options: { signal?: AbortSignal; onProgress?: (p: never) => void } = {}): Promise<T> {
    const sig = options.signal ?? runOptions().signal;
    sig.throwIfAborted();
    const id = this.nextId++;
    const modulePath = path.join(__dirname, `${PARSERS[parser]}${this.ext}`);
    const answer = new Promise<T>((resolve, reject) => {
      const task: PoolTask = {
        id,
        message: { id, modulePath, fn: parser, args: cloneableArgs(args), progress: !!options.onProgress },
        parser,
        signal: sig,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      let watch = this.bySignal.get(sig);
      if (!watch) {
        const w = { tasks: new Set<PoolTask>(), onAbort: () => [...w.tasks].forEach((t) => this.abort(t)) };
        sig.addEventListener("abort", w.onAbort, { once: true });
        this.bySignal.set(sig, (watch = w));
      }
      watch.tasks.add(task);
      this.pending.push(task);
      this.pump();
    });
    // A task close() rejects may have no one waiting for it any more (its caller failed first): never an unhandled rejection.
    answer.catch(() => undefined);
    return answer;
  }

  /** Give waiting tasks to workers: an empty worker first, then a new one, then (while many wait) one holding fewer than `perWorker`. */
  private pump(): void {
    while (this.pending.length && !this.closed) {
      let pick: Worker | undefined;
      for (const [w, held] of this.busy)
        if (held.length === 0) {
          pick = w;
          break;
        }
      if (!pick && this.busy.size < this.size) pick = this.spawn();
      // A second task waits in a busy worker only while more tasks wait than there are workers: the last ones go to whichever
      // worker frees first (held early, they could queue behind a long task while another worker idles).
      if (!pick && this.pending.length > this.size)
        for (const [w, held] of this.busy) if (held.length < this.perWorker && (!pick || held.length < this.busy.get(pick)!.length)) pick = w;
      if (!pick) return;
      const task = this.pending.shift()!;
      this.busy.get(pick)!.push(task);
      pick.postMessage(task.message);
    }
  }

  private spawn(): Worker {
    const w = newWorker(this.ext, { serve: true }, this.resourceLimits);
    w.unref();
    this.busy.set(w, []);
    w.on("message", (m: { id: number; progress?: never; ok?: boolean; value?: unknown; message?: string; name?: string }) => this.answer(w, m));
    w.on("error", (e: Error) => this.died(w, () => e));
    w.on("exit", (code: number) => this.died(w, (t) => new Error(`the ${t.parser} worker stopped (exit code ${code}) before it answered`)));
    return w;
  }

  private answer(w: Worker, m: { id: number; progress?: never; ok?: boolean; value?: unknown; message?: string; name?: string }): void {
    const held = this.busy.get(w);
    const at = held?.findIndex((t) => t.id === m.id) ?? -1;
    if (at < 0) return;
    const task = held![at]!;
    if (m.progress !== undefined) {
      task.onProgress?.(m.progress);
      return;
    }
    held!.splice(at, 1);
    this.unwatch(task);
    // The worker's next task goes out before this answer is handled (decoded, merged) here.
    this.pump();
    if (m.ok) task.resolve(m.value);
    else task.reject(workerError(m));
  }

  /** The task is settled: its signal no longer needs watching for it. */
  private unwatch(task: PoolTask): void {
    const watch = this.bySignal.get(task.signal);
    if (!watch?.tasks.delete(task) || watch.tasks.size) return;
    task.signal.removeEventListener("abort", watch.onAbort);
    this.bySignal.delete(task.signal);
  }

  /** A task's signal aborted: drop it if waiting; else end its worker and give the worker's other tasks to another. */
  private abort(task: PoolTask): void {
    this.unwatch(task);
    const waiting = this.pending.indexOf(task);
    if (waiting >= 0) {
      this.pending.splice(waiting, 1);
      task.reject(task.signal.reason);
      return;
    }
    for (const [w, held] of this.busy) {
      const at = held.indexOf(task);
      if (at < 0) continue;
      if (at > 0) {
        // Held behind the running task, not started: the worker is told to skip it and keeps running.
        held.splice(at, 1);
        w.postMessage({ cancel: task.id });
        task.reject(task.signal.reason);
        return;
      }
      this.busy.delete(w);
      void w.terminate();
      // Its tasks whose signal aborted too end now; the others wait for another worker, first in line.
      for (const t of held)
        if (t.signal.aborted) {
          this.unwatch(t);
          t.reject(t.signal.reason);
        }
      this.pending.unshift(...held.filter((t) => !t.signal.aborted));
      this.pump();
      return;
    }
  }

  /** A worker failed or exited: its tasks fail with `error`. */
  private died(w: Worker, error: (t: PoolTask) => Error): void {
    const held = this.busy.get(w);
    if (!held) return;
    this.busy.delete(w);
    for (const t of held) {
      this.unwatch(t);
      t.reject(error(t));
    }
    this.pump();
  }

  /** End every worker (tasks still waiting or running are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    const ws = [...this.busy.keys()];
    for (const t of this.pending.splice(0)) {
      this.unwatch(t);
      t.reject(new Error(`the ${t.parser} worker pool was closed before the task ran`));
    }
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
