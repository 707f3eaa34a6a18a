/**
 * The failure test: a node stopped (kill -STOP) for 2 s during a fixed-rate run.
 *
 * Setup, like cassandra-stress `-rate threads=2 fixed=300/s`: 2 requests in flight at most, 300
 * operations a second scheduled for 3 s, the stopped node as the only coordinator, a client
 * timeout of 800 ms. While the node is stopped, requests time out (counted as errors) and the
 * schedule keeps running, so a backlog of ~600 operations builds; after SIGCONT it drains through
 * 2 slots. Measured from their intended start those operations waited out the stall (corrected
 * latency), while each one's own service time is short. Expected: errors counted, every scheduled
 * operation still executed (the run continues), corrected p99 and max at the stall's length,
 * service-time p99 far below it.
 *
 * Why "p99 > 0.9 x stall" and not "p99 > stall": an operation intended t ms after the node stopped
 * waits (stall - t) + the node's resume delay, so only operations intended in the first few ms of
 * the stall (plus those already in flight) wait longer than the stall itself. The top 1% of this run
 * (9 of 900 operations) covers the first ~30-45 ms of the stall's schedule, so the corrected p99 is
 * stall + resume delay - 30..45 ms: measured here 1968-3524 ms over 12 runs on the dev lab, below
 * 2000 ms in 4 of them (when the node answered within ~20 ms of SIGCONT), never below 1950 ms.
 * A strict "> stall" would test the node's resume delay, not the bench.
 *
 * The node is ALWAYS continued in a finally block. Its PID comes from the lab's records
 * (CASSPERF_LAB_DIR/lab.json, or the dev lab's java process with -Dcassandra.storagedir=<dir>/nodeN).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { connect } from "../src/index";
import { bench } from "../src/analyze/bench/bench";
import { labOrSkip } from "./support";

const STALL_MS = 2000;

/** The PID of the lab node at `address` (index `i` among the contact points), checked against its command line. */
function labNodePid(dir: string, address: string, i: number): number | undefined {
  const cmdline = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      return [];
    }
  };
  const stateFile = path.join(dir, "lab.json");
  if (fs.existsSync(stateFile)) {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { nodes: { address: string; dir: string; pid?: number }[] };
    const node = state.nodes.find((n) => n.address === address);
    if (node) {
      const pidFile = path.join(node.dir, "cassandra.pid");
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").trim()) : node.pid;
      if (pid && cmdline(pid).some((a) => a === `-Dcassperf.lab.node=${node.dir}` || a.includes(node.dir))) return pid;
    }
  }
  // The dev lab: nodeN folders, java processes started with -Dcassandra.storagedir=<dir>/nodeN.
  const marker = `-Dcassandra.storagedir=${path.join(dir, `node${i + 1}`)}`;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (cmdline(Number(entry)).includes(marker)) return Number(entry);
  }
  return undefined;
}

test("kill -STOP for 2 s during a fixed-rate run: errors counted, run continues, corrected p99 at the stall length, service p99 far below", async (t) => {
  const l = labOrSkip(t);
  if (!l) return;
  const i = l.contactPoints.length - 1;
  const address = l.contactPoints[i];
  const pid = labNodePid(l.dir, address, i);
  assert.ok(pid, `found the PID of lab node ${address} in ${l.dir}`);
  const live = await connect({ contactPoints: l.contactPoints, localDataCenter: "datacenter1" });
  try {
    // Stop the node once 100 measured operations completed (a third of a second into the measured
    // phase): progress events carry the run's own state; on a busy machine schema setup and
    // warm-up take longer than planned, and a wall-clock guess would stop the node during warm-up.
    let measuring!: () => void;
    const inMeasuredPhase = new Promise<void>((resolve) => (measuring = resolve));
    const run = bench("writes", {
      rate: 300,
      duration: 3,
      warmup: 0.5,
      concurrency: 2,
      timeoutMs: 800,
      coordinators: [address],
      keyspace: "cassperf_bench_test",
      keys: 100_000,
      onProgress: (p) => {
        if (p.phase === "measuring" && p.completed >= 100) measuring();
      },
    });
    await Promise.race([inMeasuredPhase, run]);
    let stoppedFor = 0;
    const t0 = performance.now();
    try {
      process.kill(pid!, "SIGSTOP");
      await new Promise((r) => setTimeout(r, STALL_MS));
    } finally {
      process.kill(pid!, "SIGCONT");
      stoppedFor = performance.now() - t0;
    }
    const r = await run;
    const s = r.summary as Record<string, number>;
    const detail = JSON.stringify({ stoppedFor, ...s, errorsByType: r.run.errors_by_type });
    t.diagnostic(
      `stopped ${Math.round(stoppedFor)} ms; corrected p99 ${s.p99_ms} ms, max ${s.max_ms} ms; service p99 ${s.service_p99_ms} ms; errors ${s.errors}; ops ${s.ops}`,
    );
    t.diagnostic(
      r
        .rows("intervals")
        .map((x) => `${x.second}: ${x.ops} ops, ${x.errors} errors, p99 ${x.p99_ms}, service p99 ${x.service_p99_ms}`)
        .join(" | "),
    );
    assert.ok(stoppedFor >= STALL_MS, detail);
    // Errors and timeouts counted.
    assert.ok(s.errors >= 1, `errors counted: ${detail}`);
    assert.ok((r.run.errors_by_type.ClientTimeout ?? 0) >= 1, detail);
    // The run continues: every scheduled operation was executed, and seconds after the stall have operations.
    assert.equal(s.ops, 900, detail);
    const perSecond = new Map<number, number>();
    for (const row of r.rows("intervals")) perSecond.set(row.second as number, (perSecond.get(row.second as number) ?? 0) + (row.ops as number));
    const seconds = [...perSecond.keys()].sort((a, b) => a - b);
    assert.ok(
      (perSecond.get(seconds[seconds.length - 1]) ?? 0) > 0 || (perSecond.get(seconds[seconds.length - 2]) ?? 0) > 0,
      `operations after the stall: ${JSON.stringify([...perSecond])}`,
    );
    // The stall shows in the corrected latencies, not in the service times.
    assert.ok(s.p99_ms > 0.9 * STALL_MS, `corrected p99 ${s.p99_ms} ms > 0.9 x stall ${STALL_MS} ms: ${detail}`);
    assert.ok(s.max_ms > 0.95 * STALL_MS, `corrected max ${s.max_ms} ms > 0.95 x stall: ${detail}`);
    assert.ok(s.service_p99_ms < STALL_MS / 4, `service-time p99 ${s.service_p99_ms} ms is not near the stall: ${detail}`);
    assert.ok(s.service_p99_ms < s.p99_ms / 4, detail);
    // Per second: the stall's seconds show it in p99 too.
    assert.ok(r.rows("intervals").some((x) => (x.p99_ms as number) > STALL_MS * 0.9));
    assert.ok(
      r.findings.some((f) => f.id === "bench.error-rate"),
      r.findings.map((f) => f.id).join(", "),
    );
  } finally {
    await live.close();
  }
});
