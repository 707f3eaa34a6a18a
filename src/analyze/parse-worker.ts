/**
 * The worker side of ./parse-cancellable.ts: runs one pure parser (text -> rows) on the text it was
 * given and posts the result back. Parsers are pure functions of their arguments (src/parse/), so
 * running one here gives the same result as in the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";

const { modulePath, fn, args, textChunks } = workerData as { modulePath: string; fn: string; args: unknown[]; textChunks?: Uint8Array[] };
try {
  // The text arrives as UTF-8 chunks (transferred, not cloned: ./parse-cancellable.ts).
  if (textChunks) {
    const decoder = new TextDecoder();
    args[0] = textChunks.map((c) => decoder.decode(c)).join("");
  }
  // A log layout arrives as its pattern and name (./parse-cancellable.ts cloneableArgs): compile it here.
  const options = args[1] as { layoutSource?: { pattern: string; name: string }; layout?: unknown } | undefined;
  if (options?.layoutSource) {
    const { compileLayout } = require("../parse/log-layout") as typeof import("../parse/log-layout");
    options.layout = compileLayout(options.layoutSource.pattern, options.layoutSource.name);
    delete options.layoutSource;
  }
  const mod = require(modulePath) as Record<string, (...a: unknown[]) => unknown>;
  parentPort!.postMessage({ ok: true, value: mod[fn](...args) });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error)?.message ?? String(e), name: (e as Error)?.name });
}
