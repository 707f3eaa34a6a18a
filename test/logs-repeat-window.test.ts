/**
 * debug.log's repeats of system.log lines are checked in a time window (src/analyze/logs/log-node.ts,
 * REPEAT_WINDOW_MS), system.log and debug.log read side by side, instead of against every system.log
 * event of the node: the same result, with memory that no longer grows with system.log.
 *
 * The expected values: the old path (the whole-node check, `repeatWindowMs: Infinity`: every
 * system.log file first, then debug.log against all of its keys — the code logs() ran before the
 * window) on the same files, and counts taken from the files with grep: test/fixtures/logs-stream
 * (PROVENANCE.md there: a real DSE 6.8 node's system.log, 150 entries = 146 INFO + 4 WARN by
 * `grep -cE '^(INFO|WARN|ERROR|DEBUG|TRACE) '`, and the same node's debug.log over the same minutes,
 * 212 entries = those 150 repeated + 62 DEBUG). Rotated files, clock steps and rotations listed out
 * of order are made in a temporary folder by cutting and repeating those real files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseNodeLogs, REPEAT_WINDOW_MS, type NodeLogResult, type NodeLogTask } from "../src/analyze/logs/log-node";
import { logFixtureFiles, nodeLogTask } from "./support";

const FIXTURES = path.join(__dirname, "fixtures");
const SYSTEM = fs.readFileSync(path.join(FIXTURES, "logs-stream/dse68-system.log"), "utf8");
const DEBUG = fs.readFileSync(path.join(FIXTURES, "logs-stream/dse68-debug.log"), "utf8");
/** grep -cE '^(INFO|WARN|ERROR|DEBUG|TRACE) ' on each file. */
const SYSTEM_ENTRIES = 150;
const DEBUG_ONLY_ENTRIES = 62;

/** Results compared as data, without the field that says how the check ran. */
const plain = ({ repeatCheck: _r, ...r }: NodeLogResult) => JSON.parse(JSON.stringify(r));

/** A node task over files (in the order given: oldest rotation first), debug.log files by name. */
const taskOf = (files: string[], keep = 1_000_000): NodeLogTask => nodeLogTask("n", files, { classified: keep, other: keep });

/** Whole entries of a log text (an entry line and its continuation lines). */
function entries(text: string): string[] {
  return text.split(/\n(?=(?:INFO|WARN|ERROR|DEBUG|TRACE) )/).map((e) => (e.endsWith("\n") ? e : `${e}\n`));
}

/** The text with every date moved `days` later (how bench/logs.bench.ts grows a node: each copy a day later). */
const dayLater = (text: string, days: number) => text.replaceAll("2020-07-20", `2020-07-${String(20 + days).padStart(2, "0")}`);

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-repeat-window-"));
}

async function both(task: NodeLogTask): Promise<{ window: NodeLogResult; whole: NodeLogResult }> {
  const window = await parseNodeLogs(task);
  const whole = await parseNodeLogs({ ...task, repeatWindowMs: Infinity });
  assert.equal(whole.repeatCheck.window, false);
  return { window, whole };
}

test("every log fixture: the windowed repeat check gives the old whole-node check's result", async () => {
  // One task per folder (a node), its debug.log files after its system.log files, as test/logs-chunks.test.ts builds them.
  const byDir = new Map<string, string[]>();
  for (const f of logFixtureFiles(FIXTURES)) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
  let withRepeats = 0;
  for (const [dir, files] of byDir) {
    const groups = dir.endsWith("logback-layouts") ? files.map((f) => [f]) : [files];
    for (const g of groups) {
      const task = taskOf(g);
      task.node = path.relative(FIXTURES, dir);
      if (dir.endsWith("logback-layouts")) {
        const xml = g[0]!.replace(/system-(.*)\.log$/, "logback-$1.xml");
        task.pattern = /<pattern>([^<]*)/.exec(fs.readFileSync(xml, "utf8"))![1]!;
      }
      const { window, whole } = await both(task);
      assert.deepEqual(plain(window), plain(whole), `${task.node}: the windowed check differs from the whole-node check`);
      if (whole.duplicates) {
        withRepeats++;
        // These real nodes' logs go forward in time: the window held, holding fewer keys than the whole-node check.
        assert.equal(window.repeatCheck.window, true, `${task.node}: the window was given up`);
        assert.ok(window.repeatCheck.keysPeak < whole.repeatCheck.keysPeak, `${task.node}: ${window.repeatCheck.keysPeak} keys held`);
      }
    }
  }
  // logs-stream and data/diag/dse68 have a debug.log that repeats their system.log.
  assert.ok(withRepeats >= 2, `folders with repeats: ${withRepeats}`);
});

test("debug.log repeats of system.log lines across rotation boundaries at different places are all removed", async () => {
  const dir = tmpDir();
  try {
    const s = entries(SYSTEM);
    const d = entries(DEBUG);
    assert.equal(s.length, SYSTEM_ENTRIES);
    assert.equal(d.length, SYSTEM_ENTRIES + DEBUG_ONLY_ENTRIES);
    // system.log rotated after its 100th entry, debug.log after its 40th: debug.log (the newer) repeats lines of system.log.1 (the older).
    const files = {
      "system.log.1": s.slice(0, 100).join(""),
      "system.log": s.slice(100).join(""),
      "debug.log.1": d.slice(0, 40).join(""),
      "debug.log": d.slice(40).join(""),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const task = taskOf(["system.log.1", "system.log", "debug.log.1", "debug.log"].map((n) => path.join(dir, n)));
    const { window, whole } = await both(task);
    assert.deepEqual(plain(window), plain(whole));
    assert.equal(window.repeatCheck.window, true);
    // grep: every system.log entry is repeated in debug.log once; what is left is system.log's 150 and debug.log's 62 DEBUG entries.
    assert.equal(window.duplicates, SYSTEM_ENTRIES);
    assert.equal(window.total, SYSTEM_ENTRIES + DEBUG_ONLY_ENTRIES);
    assert.equal(
      window.events.filter((e) => e.file.startsWith("debug")).every((e) => e.level === "DEBUG"),
      true,
    );

    // The same files with the rotations listed newest first: the logs go back in time at a file boundary, the window
    // is given up and the node checked as a whole — same result (the whole-node check does not depend on order).
    const swapped = taskOf(["system.log", "system.log.1", "debug.log", "debug.log.1"].map((n) => path.join(dir, n)));
    const r = await both(swapped);
    assert.equal(r.window.repeatCheck.window, false);
    assert.deepEqual(plain(r.window), plain(r.whole));
    assert.equal(r.window.duplicates, SYSTEM_ENTRIES);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a clock stepping back (the same minutes logged twice) gives the whole-node check's result", async () => {
  const dir = tmpDir();
  try {
    // The node's clock steps back to the start of the excerpt after its last line: each file holds its minutes twice.
    fs.writeFileSync(path.join(dir, "system.log"), SYSTEM + SYSTEM);
    fs.writeFileSync(path.join(dir, "debug.log"), DEBUG + DEBUG);
    const task = taskOf([path.join(dir, "system.log"), path.join(dir, "debug.log")]);
    const { window, whole } = await both(task);
    assert.deepEqual(plain(window), plain(whole));
    // Each system.log key is there twice and so is its debug.log repeat: all 2 × 150 repeats removed (hand count).
    assert.equal(window.duplicates, 2 * SYSTEM_ENTRIES);
    assert.equal(window.total, 2 * (SYSTEM_ENTRIES + DEBUG_ONLY_ENTRIES));
    assert.deepEqual(
      window.clockSteps.map((c) => c.file),
      ["system.log", "debug.log"],
    );
    assert.equal(window.repeatCheck.window, false, "a step back further than the window: checked as a whole");

    // A step back within the window (threads interleaving): one debug.log DEBUG entry moved 3 s earlier stays in the window.
    const d = entries(DEBUG);
    const i = d.findIndex((e, k) => k > 100 && e.startsWith("DEBUG"));
    const [time] = /\d\d:\d\d:\d\d/.exec(d[i]!)!;
    const earlier = new Date(Date.parse(`2020-07-20T${time}Z`) - 3000).toISOString().slice(11, 19);
    d[i] = d[i]!.replace(time, earlier);
    fs.writeFileSync(path.join(dir, "debug.log"), d.join(""));
    const jitter = await both(taskOf([path.join(dir, "system.log"), path.join(dir, "debug.log")]));
    assert.ok(3000 < REPEAT_WINDOW_MS);
    assert.deepEqual(plain(jitter.window), plain(jitter.whole));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the window holds a few seconds of system.log, whatever its length, even when debug.log starts days later", async () => {
  const dir = tmpDir();
  try {
    // 10 days of system.log (each day the real excerpt, as bench/logs.bench.ts grows it), debug.log only for the last 3 days (it rotates sooner).
    const days = 10;
    fs.writeFileSync(path.join(dir, "system.log"), Array.from({ length: days }, (_, k) => dayLater(SYSTEM, k)).join(""));
    fs.writeFileSync(path.join(dir, "debug.log"), Array.from({ length: 3 }, (_, k) => dayLater(DEBUG, days - 3 + k)).join(""));
    const task = taskOf([path.join(dir, "system.log"), path.join(dir, "debug.log")]);
    const { window, whole } = await both(task);
    assert.deepEqual(plain(window), plain(whole));
    assert.equal(window.repeatCheck.window, true);
    assert.equal(window.duplicates, 3 * SYSTEM_ENTRIES);
    // The bound, from the file's own times: the most system.log entries within 2 × REPEAT_WINDOW_MS of each other (+1 read past it).
    const times = [...SYSTEM.matchAll(/^(?:INFO|WARN|ERROR|DEBUG|TRACE) +\[[^\]]*\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})/gm)].map((m) =>
      Date.parse(`${m[1]!.replace(" ", "T")}.${m[2]}Z`),
    );
    assert.equal(times.length, SYSTEM_ENTRIES);
    let busiest = 0;
    for (const t of times) busiest = Math.max(busiest, times.filter((u) => u >= t && u <= t + 2 * REPEAT_WINDOW_MS).length);
    assert.ok(window.repeatCheck.keysPeak <= busiest + 1, `keys held: ${window.repeatCheck.keysPeak}, busiest 10 s: ${busiest}`);
    // The old check held one key per system.log entry of the node.
    assert.equal(whole.repeatCheck.keysPeak, days * SYSTEM_ENTRIES);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("repeatHash gives hash53 of the repeat key's text on every event of the log fixtures, and on times the digits loop does not take", async () => {
  const { repeatHash } = await import("../src/analyze/logs/log-node");
  // The definition, as logs() computed it before repeatHash: the key's text, then its two 32-bit FNV-1a variants.
  const repeatKey = (e: { ts: number | null; thread: string | null; source: string | null; kind: string; message: string }) =>
    `${e.ts}\u0001${e.thread}\u0001${e.source}\u0001${e.kind}\u0001${e.message}`;
  const hash53 = (s: string) => {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    return (h1 >>> 0) * 2097152 + ((h2 >>> 0) >>> 11);
  };
  let checked = 0;
  for (const f of logFixtureFiles(FIXTURES)) {
    const r = await parseNodeLogs(taskOf([f]));
    for (const e of r.events) {
      // The expected value is the definition: hash53 over the key string `${ts}\u0001${thread}\u0001${source}\u0001${kind}\u0001${message}`.
      assert.equal(repeatHash(e), hash53(repeatKey(e)), `${f}:${e.line}`);
      checked++;
    }
  }
  assert.ok(checked > 1000, `${checked} events`);
  const e = (await parseNodeLogs(taskOf([path.join(FIXTURES, "logs-stream/dse68-system.log")]))).events[0]!;
  for (const v of [{ ts: null }, { ts: 0 }, { ts: 1.5 }, { ts: -20 }, { ts: 2 ** 60 }, { thread: null, source: null }, { message: "é ☃ \u0001" }]) {
    const x = { ...e, ...v } as typeof e;
    assert.equal(repeatHash(x), hash53(repeatKey(x)), JSON.stringify(v));
  }
});
