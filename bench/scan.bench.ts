// Benchmark (not a timed test): partitionScan's rows/s beside a single-stream full scan with the
// driver, on the same table in the same run, alternating, and partitionScan's peak memory on a
// 1,000,000-partition table. Targets (issue 8): at least 2x the single stream; peak RSS < 400 MB.
//
//   npm run bench:scan                      # starts a 3-node lab in .cassperf/bench-lab (127.0.0.31..)
//   CASSPERF_LAB_DIR=... npm run bench:scan # or use a running lab (cassperf lab start)
//   PARTITIONS=200000 ROUNDS=3 npm run bench:scan
//
// The table is keyspace1.standard1 written by the bundled cassandra-stress (one row per partition),
// loaded once and reused on later runs.
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as lab from "../src/lab";
import { partitionScan } from "../src/analyze/partitions/partitions";

const PARTITIONS = Number(process.env.PARTITIONS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

/** Peak resident set of this process so far (VmHWM), in MB. */
function peakRssMb(): number {
  const status = require("node:fs").readFileSync("/proc/self/status", "utf8") as string;
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main() {
  let dir = process.env.CASSPERF_LAB_DIR;
  let startedHere = false;
  if (!dir) {
    dir = path.resolve(".cassperf/bench-lab");
    if (!lab.running({ dir })) {
      console.log(`starting a 3-node lab in ${dir} ...`);
      await lab.start({ version: "2.1.0", dir, firstAddress: "127.0.0.31", jmxPort: 8199, connect: false, log: (l) => console.log(`  ${l}`) });
      startedHere = true;
    }
  }
  const live = await lab.connectLab(dir);
  const c = live.client;
  try {
    // cassandra-stress 2.1 creates "Keyspace1"."Standard1" (quoted, mixed case); later versions keyspace1.standard1.
    const ksName = () => Object.keys(c.metadata.keyspaces).find((k) => k.toLowerCase() === "keyspace1");
    const quoted = () => `"${ksName()}"."${ksName() === "Keyspace1" ? "Standard1" : "standard1"}"`;
    let rows = 0;
    if (ksName()) rows = Number((await c.execute(`SELECT COUNT(*) FROM ${quoted()}`, [], { readTimeout: 600_000, fetchSize: 10_000 } as never)).rows[0].count);
    if (rows < PARTITIONS) {
      console.log(`loading ${PARTITIONS.toLocaleString()} partitions with cassandra-stress (have ${rows.toLocaleString()}) ...`);
      const t = performance.now();
      await lab.stress(["write", `n=${PARTITIONS}`, "-rate", "threads=32"], { dir, timeoutSeconds: 3600 }); // 2.1 writes keys 1..n in sequence
      console.log(`  loaded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    await c.metadata.refreshKeyspaces();
    const table = quoted();
    console.log(`table ${table}`);

    const single = async () => {
      const t = performance.now();
      let n = 0;
      let pageState: string | undefined;
      do {
        const rs = await c.execute(`SELECT key FROM ${table}`, [], { fetchSize: 5000, ...(pageState ? { pageState } : {}), readTimeout: 60_000 } as never);
        n += rs.rowLength;
        pageState = rs.pageState ?? undefined;
      } while (pageState);
      return { rows: n, seconds: (performance.now() - t) / 1000 };
    };
    const scan = async () => {
      const t = performance.now();
      const r = await partitionScan(table, { source: live, concurrency: CONCURRENCY, fetchSize: 5000, timeoutMs: 60_000 });
      return { rows: r.summary.rows as number, seconds: (performance.now() - t) / 1000, partitions: r.summary.partitions as number };
    };
    const results: { what: string; rows: number; seconds: number; rate: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate the order so neither always runs on a warmer cache.
      const order =
        i % 2 === 0
          ? [
              ["single stream", single],
              ["partitionScan", scan],
            ]
          : [
              ["partitionScan", scan],
              ["single stream", single],
            ];
      for (const [what, fn] of order as [string, () => Promise<{ rows: number; seconds: number }>][]) {
        const r = await fn();
        results.push({ what, rows: r.rows, seconds: r.seconds, rate: r.rows / r.seconds });
        console.log(
          `round ${i + 1}: ${what.padEnd(14)} ${r.rows.toLocaleString().padStart(10)} rows in ${r.seconds.toFixed(1).padStart(6)} s = ${Math.round(
            r.rows / r.seconds,
          )
            .toLocaleString()
            .padStart(8)} rows/s`,
        );
      }
    }
    const median = (what: string) => {
      const v = results
        .filter((r) => r.what === what)
        .map((r) => r.rate)
        .sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)];
    };
    const ratio = median("partitionScan") / median("single stream");
    console.log(`\npartitionScan (concurrency ${CONCURRENCY}) / single stream: ${ratio.toFixed(2)}x  (target >= 2x)`);
    console.log(`peak RSS of this process (partitionScan + driver + the single stream): ${peakRssMb().toFixed(0)} MB  (target < 400 MB)`);
    console.log(
      `load average while measuring: ${require("node:os")
        .loadavg()
        .map((x: number) => x.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    await live.close();
    if (startedHere && !process.env.KEEP_LAB) await lab.stop({ dir });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
