/**
 * The worker side of ./parse-cancellable.ts: runs one pure parser (text -> rows) on the text it was
 * given, or one task (a node's log files, ./logs/log-node.ts, reading its files itself and posting
 * progress), and posts the result back. Parsers are pure functions of their arguments (src/parse/), so
 * running one here gives the same result as in the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";

/** ./parse-cancellable.ts TRANSFER_LIST (not imported: this file loads nothing the tasks do not need). */
const TRANSFER_LIST = Symbol.for("cassperf.transferList");

const data = workerData as { modulePath: string; fn: string; args: unknown[]; progress?: boolean; serve?: boolean; textChunks?: Uint8Array[] };
if (data.serve) {
  // A pooled worker (./parse-cancellable.ts WorkerPool): one task per message, answered with its id.
  // Tasks run one after another (the pool may send the next one while this one runs).
  let queue = Promise.resolve();
  // Tasks cancelled before they started (the pool sends { cancel: id }): skipped, never answered.
  const skip = new Set<number>();
  parentPort!.on("message", (m: { id: number; modulePath: string; fn: string; args: unknown[]; progress?: boolean; cancel?: number }) => {
    if (m.cancel !== undefined) {
      skip.add(m.cancel);
      return;
    }
    queue = queue.then(async () => {
      if (skip.delete(m.id)) return;
      try {
        const mod = require(m.modulePath) as Record<string, (...a: unknown[]) => unknown>;
        const call = m.progress ? [...m.args, (p: unknown) => parentPort!.postMessage({ id: m.id, progress: p })] : m.args;
        const value = await mod[m.fn](...call);
        // Buffers the result names (./parse-cancellable.ts TRANSFER_LIST) are moved, not copied.
        const transfer = (value as { [TRANSFER_LIST]?: ArrayBuffer[] } | null)?.[TRANSFER_LIST];
        parentPort!.postMessage({ id: m.id, ok: true, value }, transfer ?? []);
      } catch (e) {
        parentPort!.postMessage({ id: m.id, ok: false, message: (e as Error)?.message ?? String(e), name: (e as Error)?.name, ...errorFlags(e) });
      }
    });
  });
} else
  void (async () => {
    const { modulePath, fn, args, progress, textChunks } = data;
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
      // A task that reports progress gets a callback as its last argument; async tasks are awaited.
      const call = progress ? [...args, (p: unknown) => parentPort!.postMessage({ progress: p })] : args;
      parentPort!.postMessage({ ok: true, value: await mod[fn](...call) });
    } catch (e) {
      parentPort!.postMessage({ ok: false, message: (e as Error)?.message ?? String(e), name: (e as Error)?.name, ...errorFlags(e) });
    }
  })();

/** What a CassperfError carries besides its message (its hint, and noEvidence: the helper answers with an empty report). */
function errorFlags(e: unknown): { hint?: string; noEvidence?: true } {
  const x = e as { hint?: unknown; noEvidence?: unknown } | null;
  return { ...(typeof x?.hint === "string" ? { hint: x.hint } : {}), ...(x?.noEvidence === true ? { noEvidence: true as const } : {}) };
}
