/**
 * The entry point of one bench client thread (see ./threads.ts): connect, wait for "go", run the
 * load loop over this thread's share, send back encoded histograms and interval rows.
 */
import { parentPort, workerData } from "node:worker_threads";
import { benchClient } from "./client";
import { encodeHistogram } from "./hdr";
import { runLoad } from "./runner";
import type { ThreadResult, ThreadSpec } from "./threads";
import { resolveWorkload } from "./workloads";

async function main(): Promise<void> {
  const spec = workerData as ThreadSpec;
  const port = parentPort!;
  const ac = new AbortController();
  let go!: (startAt: number) => void;
  const started = new Promise<number>((r) => (go = r));
  port.on("message", (m: { type: string; startAt?: number }) => {
    if (m.type === "abort") ac.abort();
    else if (m.type === "go") go(m.startAt ?? Date.now());
  });
  const client = await benchClient(spec.connect, spec.client);
  try {
    const workload = resolveWorkload(spec.workload, spec.keyspace, spec.workloadOptions);
    port.postMessage({ type: "ready" });
    const startAt = await started;
    const wait = startAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // The spec carries the RunnerConfig fields it picks; the runner applies their defaults itself.
    const r = await runLoad({
      ...spec,
      client,
      workload,
      signal: ac.signal,
      keepIntervalHistograms: true,
      onProgress: (p) => port.postMessage({ type: "progress", completed: p.completed, measuring: p.phase === "measuring" }),
    });
    const rec = r.recorder;
    const result: ThreadResult = {
      ops: rec.ops.map((s) => ({
        name: s.name,
        response: encodeHistogram(s.response),
        ...(s.service ? { service: encodeHistogram(s.service) } : {}),
        count: s.count,
        errors: s.errors,
      })),
      intervals: rec.intervals,
      intervalHistograms: rec.intervalHistograms,
      errorsByType: rec.errorsByType,
      warmupOps: r.warmupOps,
      measuredMs: r.measuredMs,
      partial: r.partial,
      client: r.client,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt.toISOString(),
    };
    port.postMessage({ type: "done", result });
  } catch (e) {
    port.postMessage({ type: "error", message: (e as Error).message });
  } finally {
    await client.shutdown().catch(() => {});
  }
}

void main();
