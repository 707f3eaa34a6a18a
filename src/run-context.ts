/**
 * The run context: how a long helper (partitionScan, bench, record, ...) learns that the person at
 * the keyboard pressed Ctrl-C, and how it reports progress for the REPL's progress bar.
 *
 * The contract, for helper authors (small on purpose):
 *
 *  - A helper's options may carry `signal?: AbortSignal` and `onProgress?: (p: Progress) => void`
 *    ({@link RunOptions}). Call `const run = runOptions(opts)` once at the top of the helper: it
 *    returns the caller's own `signal`/`onProgress` when given, else the ones of the REPL line (or
 *    notebook cell) that is running, else harmless defaults (a signal that never aborts, a no-op).
 *  - Check `run.signal.throwIfAborted()` between units of work (a token range, a bench interval)
 *    and pass `run.signal` on to anything that accepts one. When aborted, stop and reject with the
 *    signal's reason (throwIfAborted does exactly that) — the REPL prints "cancelled".
 *  - Call `run.onProgress({ done, total, label })` as work completes: `done` and `total` in the
 *    same unit (ranges, requests, files); `total` omitted when unknown; `label` a few words
 *    ("token ranges", "127.0.0.2"). Calling it often is fine: the REPL redraws at most 10 times/s.
 *
 * The REPL runs every line inside {@link withRunContext}, so user code never has to pass a signal:
 * `await partitionScan("shop.orders")` is cancellable with Ctrl-C as long as partitionScan calls
 * runOptions(). A helper that does not is abandoned instead (its promise is dropped and the REPL
 * says so). The context travels with the async call chain (AsyncLocalStorage), so two helpers
 * started from two lines never see each other's signal.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** One progress event: `done` of `total` units of work (same unit). */
export interface Progress {
  /** Units of work finished so far. */
  done: number;
  /** Units of work in all, when known. */
  total?: number;
  /** What the units are, or what is being worked on, in a few words. */
  label?: string;
}

/**
 * Cancellation and progress options a long helper accepts.
 * @example await partitionScan("shop.orders", { signal: AbortSignal.timeout(60_000) })
 * @example await bench(workload, { onProgress: (p) => console.log(`${p.done}/${p.total} ${p.label ?? ""}`) })
 */
export interface RunOptions {
  /** Abort the work: the helper stops at its next check and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as work completes ({@link Progress}). */
  onProgress?: (progress: Progress) => void;
}

/** What {@link runOptions} returns: both fields always present. */
export interface ResolvedRunOptions {
  signal: AbortSignal;
  onProgress: (progress: Progress) => void;
}

// The ambient context of the running line or cell. One copy of this module per process: the REPL and the kernel load
// dist/, the tests load one build per process (src/ through tsx, or dist/ in test/repl.test.ts), never both.
const storage = new AsyncLocalStorage<RunOptions>();
const NEVER = new AbortController().signal;
const NOOP = () => {};

/**
 * Run `fn` with `context` as the ambient run context (the REPL wraps each line in this).
 * @example await withRunContext({ signal: ac.signal, onProgress: show }, () => engine.execute(code))
 */
export function withRunContext<T>(context: RunOptions, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * A helper's signal and progress callback: the caller's own, else the running REPL line's, else defaults.
 * @example const { signal, onProgress } = runOptions(opts); for (const r of ranges) { signal.throwIfAborted(); ...; onProgress({ done: ++n, total: ranges.length, label: "token ranges" }); }
 */
export function runOptions(opts?: RunOptions): ResolvedRunOptions {
  const ambient = storage.getStore();
  const signal = opts?.signal ?? ambient?.signal ?? NEVER;
  const own = opts?.onProgress;
  const outer = ambient?.onProgress;
  const onProgress = own && outer ? (p: Progress) => (own(p), outer(p)) : (own ?? outer ?? NOOP);
  return { signal, onProgress };
}

/** True when a caller can cancel the running work (a REPL line or notebook cell set a run context with a signal). */
export function hasAmbientSignal(): boolean {
  return storage.getStore()?.signal !== undefined;
}
