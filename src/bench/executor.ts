/**
 * How the bench load loop (runner.ts) sends one operation: through the Node.js driver (native protocol
 * up to v4) or through the Java driver wire (wire.ts, native protocol v5). Both answer with the same
 * timing triple on the performance.now() clock, so the schedule, recording and report are one code path.
 */
import { performance } from "node:perf_hooks";
import type { Client } from "cassandra-driver";

/** One operation's actual start, end (ms, performance.now() clock) and error name when it failed. */
export interface OpTiming {
  start: number;
  end: number;
  error?: string;
}

/** Sends operation `k` of the workload with its bound values and times it. */
export interface OpExecutor {
  execute(k: number, values: unknown[]): Promise<OpTiming>;
}

/** The Node.js driver path: `client.execute` timed around the call. */
export function driverExecutor(client: Client, cql: string[], options: object[], errorName: (e: unknown) => string): OpExecutor {
  return {
    async execute(k, values) {
      const start = performance.now();
      let error: string | undefined;
      try {
        await client.execute(cql[k], values as unknown[], options[k]);
      } catch (e) {
        error = errorName(e);
      }
      return { start, end: performance.now(), ...(error ? { error } : {}) };
    },
  };
}
