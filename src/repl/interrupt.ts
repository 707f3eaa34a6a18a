/**
 * Interrupting user code in the REPL, as node's own REPL does (lib/repl.js, breakEvalOnSigint).
 *
 * The Ink REPL keeps the terminal in raw mode, where Ctrl-C is a key, not SIGINT: a key is read by
 * the event loop, which a synchronous loop (`while (true) {}`) never gives back. So while the
 * synchronous part of a line runs (tslab's vm.runInThisContext with breakOnSigint), the terminal
 * leaves raw mode: Ctrl-C becomes SIGINT and V8 stops the script ("Script execution was interrupted
 * by `SIGINT`"). SIGTERM keeps its default action in that window (a JS handler, such as Ink's
 * exit hook, could never run while the loop blocks). The asynchronous part (awaiting a helper) is
 * back in raw mode: Ctrl-C there is the REPL's cancel key (the run context's AbortSignal).
 */
import type * as vmTypes from "node:vm";

/** The vm module object itself (tslab reads runInThisContext from it at each call; an import would be a copy). */
const vm = require("node:vm") as typeof vmTypes;

/** The message V8/node give a script stopped by SIGINT under breakOnSigint. */
export const SIGINT_INTERRUPTED = /Script execution was interrupted by `SIGINT`/;

/** Everything the synchronous window changes, and how to put it back. */
function enterSyncWindow(stdin: NodeJS.ReadStream): () => void {
  const tty = stdin as NodeJS.ReadStream & { isRaw?: boolean; setRawMode?: (raw: boolean) => void };
  // A listener first, so a Ctrl-C between leaving raw mode and the watchdog starting is not fatal.
  const swallow = () => {};
  process.on("SIGINT", swallow);
  const wasRaw = tty.isTTY === true && tty.isRaw === true && typeof tty.setRawMode === "function";
  if (wasRaw) tty.setRawMode!(false);
  const term = process.listeners("SIGTERM");
  process.removeAllListeners("SIGTERM");
  return () => {
    for (const l of term) process.on("SIGTERM", l as (...a: unknown[]) => void);
    if (wasRaw) tty.setRawMode!(true);
    process.removeListener("SIGINT", swallow);
  };
}

let installed = false;

/**
 * Wrap vm.runInThisContext (the call tslab's executor runs each input with, breakOnSigint on) so
 * its synchronous run is interruptible by Ctrl-C (see above). Idempotent.
 * @example installSyncInterrupt(); await engine.execute("while (true) {}")   // Ctrl-C stops it
 */
export function installSyncInterrupt(stdin: NodeJS.ReadStream = process.stdin): void {
  if (installed) return;
  installed = true;
  const original = vm.runInThisContext;
  const patched = function (this: unknown, code: string, options?: vmTypes.RunningScriptOptions | string) {
    const breaks = typeof options === "object" && options !== null && options.breakOnSigint === true;
    if (!breaks) return original.call(vm, code, options as vmTypes.RunningScriptOptions);
    const restore = enterSyncWindow(stdin);
    try {
      return original.call(vm, code, options);
    } finally {
      restore();
    }
  };
  (vm as { runInThisContext: typeof vmTypes.runInThisContext }).runInThisContext = patched as typeof vmTypes.runInThisContext;
}
