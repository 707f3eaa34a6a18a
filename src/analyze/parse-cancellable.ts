/**
 * Parsing a large file so that Ctrl-C can stop it. The parsers are synchronous (text -> rows); a
 * 500 MB log keeps the event loop busy for many seconds, and the REPL's cancel key (or a notebook
 * cell's signal) is only read between tasks. When the REPL line or notebook cell has a cancel
 * signal and the text is large, the parser runs in a worker thread that is terminated the moment
 * the signal aborts (within a second, not at the end of the parse); otherwise it runs in place.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { hasAmbientSignal, runOptions } from "../repl/run-context";

/** The parsers that may run in a worker: name -> module (relative to this folder). */
const PARSERS = {
  parseGcLog: "../parse/gc-log",
  parseGcInspector: "../parse/gc-inspector",
  parseSystemLog: "../parse/system-log",
  parseNodeLogs: "./log-node",
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
  let worker: Worker;
  try {
    worker = newWorker(ext, { modulePath, fn: parser, args: cloneableArgs(args) });
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
      else reject(Object.assign(new Error(m.message), { name: m.name ?? "Error" }));
    });
    worker.once("error", (e) => {
      done();
      reject(e);
    });
  });
}

/**
 * Run one task in a worker thread whatever its size: logs() parses several nodes at once this way
 * (one worker per task, as many tasks at a time as the caller runs). The function may be async and
 * may report progress: it gets a progress callback as its last argument, whose calls arrive here as
 * `onProgress`. Cancel terminates the worker at once and rejects with the signal's reason.
 * @example const r = await runTask<NodeLogResult>("parseNodeLogs", [task], { signal, onProgress })
 */
export async function runTask<T>(parser: CancellableParser, args: unknown[], options: { signal?: AbortSignal; onProgress?: (p: never) => void } = {}): Promise<T> {
  const sig = options.signal ?? runOptions().signal;
  sig.throwIfAborted();
  const ext = path.extname(__filename);
  const modulePath = path.join(__dirname, `${PARSERS[parser]}${ext}`);
  const worker = newWorker(ext, { modulePath, fn: parser, args: cloneableArgs(args), progress: !!options.onProgress });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (then: () => void) => {
      if (settled) return;
      settled = true;
      sig.removeEventListener("abort", onAbort);
      void worker.terminate();
      then();
    };
    const onAbort = () => finish(() => reject(sig.reason));
    sig.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: { progress?: never; ok?: boolean; value?: T; message?: string; name?: string }) => {
      if (m.progress !== undefined) {
        if (!settled) options.onProgress?.(m.progress);
        return;
      }
      finish(() => (m.ok ? resolve(m.value as T) : reject(Object.assign(new Error(m.message), { name: m.name ?? "Error" }))));
    });
    worker.once("error", (e) => finish(() => reject(e)));
    worker.once("exit", (code) => finish(() => reject(new Error(`the ${parser} worker stopped (exit code ${code}) before it answered`))));
  });
}

/** The worker (./parse-worker.ts). Run from the TypeScript sources (tests, benches under tsx), it registers tsx first. */
function newWorker(ext: string, workerData: Record<string, unknown>): Worker {
  const file = path.join(__dirname, `parse-worker${ext}`);
  if (ext !== ".ts") return new Worker(file, { workerData });
  return new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`, { eval: true, workerData });
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
