/**
 * The worker side of ./parse-cancellable.ts: runs one pure parser (text -> rows) on the text it was
 * given and posts the result back. Parsers are pure functions of their arguments (src/parse/), so
 * running one here gives the same result as in the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";

const { modulePath, fn, args } = workerData as { modulePath: string; fn: string; args: unknown[] };
try {
  const mod = require(modulePath) as Record<string, (...a: unknown[]) => unknown>;
  parentPort!.postMessage({ ok: true, value: mod[fn](...args) });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error)?.message ?? String(e), name: (e as Error)?.name });
}
