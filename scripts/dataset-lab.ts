/**
 * `npm run dataset:lab`: regenerate datasets/lab-3node, the recorded dataset shipped with the
 * package as the embedded default.
 *
 * Starts a fresh 3-node lab (or uses the running one named by --lab-dir / CASSPERF_LAB_DIR), creates
 * a schema with the four shapes performance work meets — a tombstone-heavy queue, a time-series
 * table without TTL, a table with a few large partitions, an update-heavy table spread over several
 * SSTables — runs the bundled cassandra-stress once, runs traced reads at ONE, QUORUM and ALL
 * (including the tombstone-heavy read; each query text ends with a CQL comment naming the level,
 * because 2.1 traces do not record the level), then record()s everything into the dataset (logs cut to a
 * size limit so the whole dataset stays under 5 MB) and checks it with open() + inventory().
 *
 *   node --import tsx scripts/dataset-lab.ts [--out datasets/lab-3node] [--lab-dir D] [--first-address 127.0.0.1] [--jmx-port 7199] [--stress-n 20000] [--keep]
 *
 * `--version 5.0` (or 5.0.x) records the same story on a 3-node Cassandra 5.0 lab from Maven Central
 * into datasets/lab-3node-5.0: the same schema, data, traced reads and two bench runs; no
 * cassandra-stress run (it is not published on Maven Central for 5.0). Without --version the lab is
 * 2.1.0, as lab-3node has always been.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as lab from "../src/lab";
import { record } from "../src/cluster/record";
import { openRecorded } from "../src/cluster/recorded";
import { inventory } from "../src/analyze/inventory";
import { bench } from "../src/analyze/bench/bench";
import type { LiveSource } from "../src/cluster/live";

const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
const { consistencies } = cassandra.types;

/** The dataset's size budget (issue 3) and the per-log-file limit that keeps it there. */
const MAX_DATASET_BYTES = 5 * 2 ** 20;
const MAX_LOG_BYTES = 384 * 1024;
const KS = "cassperf_demo";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const say = (s: string) => console.error(`dataset:lab: ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The schema: four tables, one per workload shape. */
const SCHEMA = [
  `CREATE KEYSPACE IF NOT EXISTS ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`,
  // Tombstone-heavy: a queue whose consumed messages are deleted; reads scan the tombstones.
  `CREATE TABLE IF NOT EXISTS ${KS}.queue (queue_id int, msg_id int, payload text, PRIMARY KEY (queue_id, msg_id)) WITH gc_grace_seconds = 864000`,
  // Time series without TTL: rows accumulate forever (the classic missing-TTL finding).
  `CREATE TABLE IF NOT EXISTS ${KS}.sensor_readings (sensor_id int, day text, ts timestamp, value double, PRIMARY KEY ((sensor_id, day), ts)) WITH CLUSTERING ORDER BY (ts DESC) AND compaction = {'class': 'SizeTieredCompactionStrategy'}`,
  // A few large partitions among many small ones.
  `CREATE TABLE IF NOT EXISTS ${KS}.user_events (user_id int, event_id int, kind text, body text, PRIMARY KEY (user_id, event_id))`,
  // Update-heavy: the same rows rewritten between flushes, so reads merge several SSTables.
  `CREATE TABLE IF NOT EXISTS ${KS}.user_profiles (user_id int PRIMARY KEY, name text, score int, last_seen timestamp) WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '8'}`,
];

async function many(client: import("cassandra-driver").Client, query: string, params: unknown[][]): Promise<void> {
  await cassandra.concurrent.executeConcurrent(client, query, params as any[], { concurrencyLevel: 64, prepare: true } as any);
}

async function flushAll(l: lab.Lab, table?: string): Promise<void> {
  await Promise.all(l.nodes.map((n) => lab.nodetool(n.name, ["flush", KS, ...(table ? [table] : [])], { dir: l.dir })));
}

async function load(live: LiveSource, l: lab.Lab): Promise<void> {
  const c = live.client;
  for (const q of SCHEMA) {
    await c.execute(q);
    // The next statement may go to another coordinator: wait until every node has this change.
    // (Metadata.checkSchemaAgreement exists in driver 4.8 but is missing from its .d.ts.)
    const metadata = c.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    for (let i = 0; i < 120 && !(await metadata.checkSchemaAgreement()); i++) await sleep(500);
  }
  say("loading data");
  const text = (n: number) => "x".repeat(n);
  // queue: 3,000 messages in queue 1, 2,500 consumed (deleted) -> a read of queue 1 scans 2,500 tombstones.
  await many(
    c,
    `INSERT INTO ${KS}.queue (queue_id, msg_id, payload) VALUES (?, ?, ?)`,
    Array.from({ length: 3000 }, (_, i) => [1, i, text(40)]),
  );
  await many(
    c,
    `INSERT INTO ${KS}.queue (queue_id, msg_id, payload) VALUES (?, ?, ?)`,
    Array.from({ length: 200 }, (_, i) => [2, i, text(40)]),
  );
  await flushAll(l, "queue");
  await many(
    c,
    `DELETE FROM ${KS}.queue WHERE queue_id = ? AND msg_id = ?`,
    Array.from({ length: 2500 }, (_, i) => [1, i]),
  );
  await flushAll(l, "queue");
  // sensor_readings: 20 sensors x 2 days x 100 readings, no TTL.
  const readings: unknown[][] = [];
  for (let s = 0; s < 20; s++)
    for (let d = 0; d < 2; d++)
      for (let i = 0; i < 100; i++) readings.push([s, `2024-01-0${d + 1}`, new Date(Date.UTC(2024, 0, d + 1, 0, i)), Math.sin(i / 10) * 20 + s]);
  await many(c, `INSERT INTO ${KS}.sensor_readings (sensor_id, day, ts, value) VALUES (?, ?, ?, ?)`, readings);
  // user_events: 3 users with 4,000 events of 250 bytes (~1 MB partitions), 300 users with 5.
  const events: unknown[][] = [];
  for (let u = 1; u <= 3; u++) for (let e = 0; e < 4000; e++) events.push([u, e, e % 7 === 0 ? "purchase" : "view", text(250)]);
  for (let u = 100; u < 400; u++) for (let e = 0; e < 5; e++) events.push([u, e, "view", text(100)]);
  await many(c, `INSERT INTO ${KS}.user_events (user_id, event_id, kind, body) VALUES (?, ?, ?, ?)`, events);
  // user_profiles: 200 users rewritten in 4 rounds with a flush after each -> 4 SSTables per read.
  for (let round = 0; round < 4; round++) {
    await many(
      c,
      `INSERT INTO ${KS}.user_profiles (user_id, name, score, last_seen) VALUES (?, ?, ?, ?)`,
      Array.from({ length: 200 }, (_, u) => [u, `user-${u}`, round * 10 + u, new Date(Date.UTC(2024, 0, 1, round))]),
    );
    await flushAll(l, "user_profiles");
  }
  await flushAll(l);
}

/**
 * Run a traced query and wait until its session is complete. Values are inlined (not prepared) so
 * Cassandra 2.1 writes the query text into the session's parameters.
 */
async function traced(live: LiveSource, query: string, consistency: number, label: string): Promise<void> {
  // Cassandra 2.1 does not write the consistency level into the trace: a CQL comment carries it.
  const name = Object.entries(consistencies)
    .find(([, v]) => v === consistency)![0]
    .toUpperCase();
  const r = await live.client.execute(`${query} /* consistency ${name} */`, [], { traceQuery: true, consistency, fetchSize: 5000 });
  for (let i = 0; i < 50; i++) {
    const s = await live.client.execute("SELECT duration FROM system_traces.sessions WHERE session_id = ?", [r.info.traceId], { prepare: true });
    if (s.rows[0]?.duration != null) break;
    await sleep(200);
  }
  say(`traced ${label}: ${r.rowLength ?? 0} rows, session ${r.info.traceId}`);
}

async function tracedQueries(live: LiveSource): Promise<void> {
  const CLS: [string, number][] = [
    ["ONE", consistencies.one],
    ["QUORUM", consistencies.quorum],
    ["ALL", consistencies.all],
  ];
  for (const [name, cl] of CLS) {
    await traced(live, `SELECT * FROM ${KS}.queue WHERE queue_id = 1`, cl, `tombstone-heavy read at ${name}`);
    await traced(live, `SELECT * FROM ${KS}.sensor_readings WHERE sensor_id = 3 AND day = '2024-01-02' LIMIT 50`, cl, `time-series read at ${name}`);
    await traced(live, `SELECT * FROM ${KS}.user_profiles WHERE user_id = 7`, cl, `update-heavy read at ${name}`);
  }
  await traced(live, `SELECT * FROM ${KS}.user_events WHERE user_id = 1`, consistencies.quorum, "large-partition read at QUORUM");
  await traced(live, `SELECT * FROM ${KS}.user_events WHERE user_id = 150`, consistencies.one, "small-partition read at ONE");
  await traced(live, `UPDATE ${KS}.user_profiles SET score = 999 WHERE user_id = 7`, consistencies.quorum, "update at QUORUM");
  await sleep(1000);
}

function dirSize(d: string): number {
  let n = 0;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? dirSize(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size;
  return n;
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, "..");
  const labDirArg = arg("lab-dir", process.env.CASSPERF_LAB_DIR);
  const stressN = Number(arg("stress-n", "20000"));
  // Which Cassandra: 2.1.0 (lab-3node, the default) or a 4.0+/5.0 release from Maven Central (--version 5.0).
  const version = arg("version", "2.1.0")!;
  const modern = !/^2\./.test(version);
  const outDefault = modern ? path.join(root, "datasets", "lab-3node-5.0") : path.join(root, "datasets", "lab-3node");
  const outPath = path.resolve(arg("out", outDefault)!);
  let l: lab.Lab;
  let startedHere = false;
  if (labDirArg && lab.running({ dir: labDirArg })) {
    l = lab.running({ dir: labDirArg })!;
    say(`using the running lab in ${l.dir} (${l.contactPoints.join(", ")})`);
  } else {
    const dir = labDirArg ?? path.join(root, ".cassperf", "dataset-lab");
    // 127.0.0.1.. unless busy (another Cassandra, e.g. a dev cluster): then 127.0.1.1.., 127.0.2.1.., ...
    const given = arg("first-address");
    const candidates = given ? [given] : [0, 1, 2, 3, 4].map((b) => `127.0.${b}.1`);
    let started: lab.Lab | undefined;
    for (const first of candidates) {
      say(`starting a fresh 3-node lab in ${dir} at ${first}`);
      try {
        started = await lab.start({
          version,
          dir,
          nodes: 3,
          clean: true,
          firstAddress: first,
          jmxPort: Number(arg("jmx-port", "7199")),
          connect: false,
          log: say,
        });
        break;
      } catch (e) {
        if (given || !/already in use/.test((e as Error).message)) throw e;
        say(`${(e as Error).message.split(";")[0]}; trying the next address block`);
      }
    }
    if (!started) throw new Error("no free loopback address block for the lab");
    l = started;
    startedHere = true;
  }
  const out = outPath;
  const live = await lab.connectLab(l.dir);
  try {
    await load(live, l);
    const stressArgs = ["write", `n=${stressN}`, "-rate", "threads=16"];
    let stressText: string | undefined;
    if (!modern) {
      say(`cassandra-stress write n=${stressN}`);
      const stressOut = await lab.stress(stressArgs, { dir: l.dir });
      stressText = `# cassandra-stress ${stressArgs.join(" ")} -node ${l.contactPoints.join(",")} (bundled Cassandra 2.1.0 stress)\n${stressOut}`;
    } else say(`no cassandra-stress run: it is not published on Maven Central for ${l.version ?? version}`);
    await tracedQueries(live);
    // A real before/after for runbook 5: the same write workload at fixed rate, before and after a
    // change (the client's concurrency cap), each saved by record() as bench/<run>.json with its HdrHistogram.
    for (const [label, concurrency] of [
      ["before", 4],
      ["after", 32],
    ] as const) {
      say(`bench writes at 1,000 op/s, concurrency ${concurrency} (${label})`);
      await bench("writes", { source: live, rate: 1000, concurrency, duration: 8, warmup: 1 });
    }
    say(`recording into ${out}`);
    const r = await record(live, out, {
      overwrite: true,
      logs: { maxBytesPerFile: MAX_LOG_BYTES },
      files: stressText ? { "stress/cassandra-stress-write.txt": stressText } : {},
      notes: modern
        ? `A fresh 3-node Apache Cassandra ${l.version ?? version} lab from Maven Central (cassperf lab, JDK 17, G1 with 5.0's jvm17-server.options, 512 MB heap per node, num_tokens 16) made by scripts/dataset-lab.ts --version ${version}: keyspace ${KS} with a tombstone-heavy queue (queue 1: 3,000 messages, 2,500 deleted), a time-series table without TTL (sensor_readings), a table with three ~1 MB partitions among 300 small ones (user_events) and an update-heavy table rewritten over 4 flushes (user_profiles); two bench runs of the same fixed-rate write workload, before (concurrency cap 4) and after (32) (bench/); traced reads at ONE, QUORUM and ALL of each, including the tombstone-heavy read. No cassandra-stress run: it is not on Maven Central for 5.0.`
        : `A fresh 3-node Apache Cassandra 2.1.0 lab (cassperf lab, JDK 17, 384 MB heap per node) made by scripts/dataset-lab.ts: keyspace ${KS} with a tombstone-heavy queue (queue 1: 3,000 messages, 2,500 deleted), a time-series table without TTL (sensor_readings), a table with three ~1 MB partitions among 300 small ones (user_events) and an update-heavy table rewritten over 4 flushes (user_profiles); one cassandra-stress write run (stress/); two bench runs of the same fixed-rate write workload, before (concurrency cap 4) and after (32) (bench/); traced reads at ONE, QUORUM and ALL of each, including the tombstone-heavy read.`,
    });
    const size = dirSize(out);
    say(
      `wrote ${Object.keys(r.manifest.files ?? {}).length} files, ${(size / 2 ** 20).toFixed(2)} MB${r.skipped.length ? `; skipped: ${r.skipped.join("; ")}` : ""}`,
    );
    if (size > MAX_DATASET_BYTES) throw new Error(`the dataset is ${size} bytes, over the ${MAX_DATASET_BYTES}-byte budget: lower MAX_LOG_BYTES`);
    const inv = await inventory(await openRecorded(out));
    console.log(inv.toText({ width: 100 }));
    if (inv.summary.nodes !== 3) throw new Error(`inventory found ${inv.summary.nodes} nodes, expected 3`);
  } finally {
    await live.close();
    if (startedHere && !process.argv.includes("--keep")) for (const line of await lab.stop({ dir: l.dir })) say(line);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`dataset:lab: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
