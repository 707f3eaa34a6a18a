/**
 * health()'s headline: every value is on the line it cites. Each test reads the cited file:line
 * itself and finds the value shown there (expected values come from the fixture's own text, by a
 * grep in the test, never from health()'s output).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { open, health, type RecordedSource } from "../src/index";
import { ROOT, tempDir } from "./support";

const FIX = path.join(ROOT, "test/fixtures");
const LAB_DATASET = path.join(ROOT, "datasets/lab-3node");

/** The text of the line a "file:line" citation points at, in a recorded source. */
function lineAt(root: string, cite: string): string {
  const m = /^(.*):(\d+)$/.exec(cite);
  assert.ok(m, `${cite} is not file:line`);
  return fs.readFileSync(path.join(root, m[1]), "utf8").split("\n")[Number(m[2]) - 1];
}

/** A bundle folder with one node (the dse68 node's name) holding the given files. */
function bundle(files: Record<string, string>): string {
  const dir = tempDir("cassperf-health-cite-");
  for (const [rel, from] of Object.entries(files)) {
    const to = path.join(dir, "nodes/172.17.0.2", rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  }
  return dir;
}

test("worst GC pause: the stopped time shown is cited at its stopped-time line, not at the pause's first line (DSE 6.8 node, JDK 8 G1)", async () => {
  // The excerpt's first event: `, 0.0446647 secs]` (44.7 ms pause) then, on the stopped-time line,
  // `Total time for which application threads were stopped: 1.0661920 seconds` (1,066 ms): grep in the file.
  const gcFile = path.join(FIX, "gc/shared-jdk8-g1-dse68-node-stopped-beyond-pause-excerpt.log");
  const text = fs.readFileSync(gcFile, "utf8").split("\n");
  const stoppedLines = text.map((l, i) => [i + 1, /stopped: (\d+\.\d+) seconds/.exec(l)?.[1]] as const).filter(([, s]) => s !== undefined);
  const worst = stoppedLines.reduce((a, b) => (Number(b[1]) > Number(a[1]) ? b : a));
  assert.equal(worst[1], "1.0661920");
  const dir = bundle({ "logs/cassandra/gc.log.0.current": gcFile });
  const h = await health(dir, { skip: ["partitionScan"] });
  const row = h.rows("headline").find((r) => r.metric === "worst GC pause (gc log)")!;
  assert.equal(row.value, `${Math.round(Number(worst[1]) * 1000)} ms`);
  assert.equal(row.from, `nodes/172.17.0.2/logs/cassandra/gc.log.0.current:${worst[0]}`);
  assert.match(lineAt(dir, String(row.from)), /application threads were stopped: 1\.0661920 seconds/);
  // The pause's own time is still in the detail, with its line (the `, 0.0446647 secs]` event's first line).
  assert.match(String(row.detail), /pause 44\.6647 ms \(line 1\)/);
});

test("every file:line the lab dataset's headline cites holds the value shown (unified JDK 17 safepoint, proxyhistograms, cfhistograms, cfstats, compactionstats)", async () => {
  const source = (await open(LAB_DATASET)) as RecordedSource;
  const h = await health(source, { skip: ["partitionScan", "bench"] });
  const head = h.rows("headline");
  const row = (m: string) => head.find((r) => r.metric === m)!;
  const cites = (r: Record<string, unknown>) =>
    String(r.from)
      .split("; ")
      .filter((c) => /:\d+$/.test(c));

  // GC: 197 ms is the safepoint's `Total: 197371935 ns`, two lines after the `Pause Young … 195.546ms` line.
  const gc = row("worst GC pause (gc log)");
  const [gcCite] = cites(gc);
  const total = /Safepoint "[^"]+".*Total: (\d+) ns/.exec(lineAt(LAB_DATASET, gcCite));
  assert.ok(total, `${gcCite} is a safepoint line`);
  assert.equal(gc.value, `${Math.round(Number(total[1]) / 1e6)} ms`);
  // And it is the largest stop in that file (grep every pause end and every GC safepoint total).
  const gcText = fs.readFileSync(path.join(LAB_DATASET, gcCite.replace(/:\d+$/, "")), "utf8");
  const maxPause = Math.max(...[...gcText.matchAll(/\] GC\(\d+\) Pause .* (\d+\.\d+)ms$/gm)].map((m) => Number(m[1])));
  const maxStop = Math.max(...[...gcText.matchAll(/Safepoint "G1\w*".*Total: (\d+) ns/g)].map((m) => Number(m[1]) / 1e6));
  assert.ok(Math.round(maxStop) >= Math.round(maxPause) && Math.round(Number(total[1]) / 1e6) === Math.round(maxStop));

  // Latency p99: the cited histogram row is the 99% row and holds the value (µs) shown in ms.
  for (const m of ["worst read p99", "worst write p99"]) {
    const r = row(m);
    const line = lineAt(LAB_DATASET, cites(r)[0]);
    assert.match(line, /^99%\s/, `${m}: ${r.from}`);
    const ms = Number(String(r.value).replace(/ ms$/, ""));
    const cells = line.trim().split(/\s+/).slice(1).map(Number);
    assert.ok(
      cells.some((us) => (ms >= 100 ? (us / 1000).toFixed(0) : (us / 1000).toFixed(1)) === String(r.value).replace(/ ms$/, "")),
      `${m}: ${r.value} in "${line}"`,
    );
  }
  // Largest partition: the cited row is a Max row holding the bytes shown (1.3 MiB).
  const part = row("largest partition");
  const pl = lineAt(LAB_DATASET, cites(part)[0]);
  assert.match(pl, /^Max\s/);
  assert.ok(
    pl
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
      .some((b) => `${(b / 1048576).toFixed(1)} MiB` === part.value),
    `${part.value} in "${pl}"`,
  );
  // Busiest tables: reads and writes lines of cfstats, each naming the count it adds.
  for (const r of head.filter((x) => String(x.metric).startsWith("busiest table"))) {
    const lines = cites(r).map((c) => lineAt(LAB_DATASET, c));
    assert.ok(
      lines.every((l) => /Local (read|write) count: \d+/.test(l)),
      String(r.from),
    );
    const sum = lines.reduce((a, l) => a + Number(/count: (\d+)/.exec(l)![1]), 0);
    assert.match(String(r.detail), new RegExp(`^${sum.toLocaleString("en-US")} local operations`));
  }
  // Pending compactions: the "pending tasks: N" line (before: the file only).
  const pend = row("pending compactions");
  assert.equal(lineAt(LAB_DATASET, cites(pend)[0]).trim(), `pending tasks: ${pend.value}`);
});

test("dropped messages (log lines): the total is cited at every line it sums (DSE 6.8 system.log)", async () => {
  // Eight "messages were dropped" lines, each "1 internal and 0 cross node": total 8 (grep in the test).
  const logFile = path.join(FIX, "logs/dse68-system-dropped-messages.log");
  const lines = fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean);
  const expected = lines.reduce((a, l) => {
    const m = /: (\d+) internal and (\d+) cross node/.exec(l)!;
    return a + Number(m[1]) + Number(m[2]);
  }, 0);
  assert.equal(expected, 8);
  const dir = bundle({ "logs/cassandra/system.log": logFile });
  const h = await health(dir, { skip: ["partitionScan"] });
  const row = h.rows("headline").find((r) => r.metric === "dropped messages (log lines)")!;
  assert.equal(row.value, expected);
  const cited = String(row.from).split("; ");
  assert.equal(cited.length, lines.length, "one citation per summed line");
  const sum = cited.reduce((a, c) => {
    const m = /: (\d+) internal and (\d+) cross node/.exec(lineAt(dir, c));
    assert.ok(m, `${c} holds a dropped-messages count`);
    return a + Number(m[1]) + Number(m[2]);
  }, 0);
  assert.equal(sum, row.value, "the cited lines add up to the value shown");
});
