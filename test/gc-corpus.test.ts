/**
 * Issue 16: gcStats() right on the GC logs people actually have — real text from other GC tools'
 * test data (test/fixtures/gc, see PROVENANCE.md there) and the real bundles in test/fixtures/data.
 *
 * Every expected value comes from the files themselves: the pause each event states in its own
 * closing figures (`, N secs]`, `N ms]`, `Nms`), counted by hand (the EXPECTED table) and
 * cross-checked by `endLines()`, a grep-level splitter independent of the parser; the dse68 facts
 * come from the data set's README (quoted in test/fixtures/data/PROVENANCE.md, "Known facts") and a grep of its system.log.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { data, tempDir } from "./support";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { health } from "../src/helpers";
import { detectGcFormat, parseGcLog } from "../src/parse/gc-log";

const FIX = path.join(__dirname, "fixtures", "gc");
const fx = (f: string) => fs.readFileSync(path.join(FIX, f), "utf8");

/**
 * Independent of the parser: the outer pause of each JDK 6-8 event is the last `, N secs]` (or
 * ` N secs]`) on the line that carries the event's own `[Times:` (or ends the event without one),
 * after dropping concurrent phases (`CMS-concurrent-…: a/b secs]`) and G1 phase lines. Used to
 * cross-check the hand-made table below on the files it suits.
 */
function endLines(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\d+\.\d+: \[CMS-concurrent-[^\]]*\]( \[Times: [^\]]*\])?/g, "");
    const m = /[ ,](\d+\.\d+) secs\](?: \[Times: [^\]]*\])?\s*$/.exec(line.replace(/ \[Times: [^\]]*\]\s*$/, " [Times: x]"));
    if (
      !m ||
      /^\s*\[(Parallel|Code|Clear|Other|Eden)/.test(line) ||
      (/CMS-concurrent/.test(raw.replace(/ \[Times:.*$/, "")) && !/\[GC|\(concurrent mode failure\)|^: /.test(raw))
    )
      continue;
    out.push(Math.round(Number(m[1]) * 1e7) / 1e4);
  }
  return out;
}

/** Per file: each pause in file order as [type, ms], read by hand from the file's closing figures. */
const EXPECTED: Record<string, [string, number][]> = {
  // Lines 1-5 ParNew; 6 `[GC [1 CMS-initial-mark:` (JDK 6 wording); 12-13 and 20-21 a ParNew whose old gen
  // fell into a concurrent mode failure, an abortable-preclean with its own [Times: printed inside; 33-34 a
  // ParNew interrupted by an abortable-preclean; 35 `[GC[YG occupancy: … [1 CMS-remark:` (JDK 6 remark).
  "gcviewer-jdk6-cms.txt": [
    ["young", 28.5898],
    ["young", 6.0303],
    ["young", 30.7281],
    ["young", 11.0132],
    ["young", 30.0629],
    ["initial-mark", 0.4006],
    ["full", 18.7293],
    ["young", 25.6748],
    ["initial-mark", 0.2073],
    ["full", 22.1375],
    ["young", 1.9954],
    ["young", 13.1651],
    ["young", 1.3621],
    ["young", 17.946],
    ["initial-mark", 0.2257],
    ["young", 6.2122],
    ["young", 28.2363],
    ["remark", 0.5792],
    ["young", 5.6142],
  ],
  "gcviewer-jdk7-g1-pause-with-comma.txt": [["young", 66.567]],
  "gcviewer-jdk7-g1-young-initial-mark-to-space-exhausted.txt": [["young-concurrent-start", 115.689]],
  // The scavenge (its own `, N secs]` before its [Times:) and the remark (the `[1 CMS-remark: …], N secs]` line).
  "gcviewer-jdk8-cms-scavenge-before-remark-heapatgc.txt": [
    ["young", 0.0778],
    ["remark", 1.997],
  ],
  "gcviewer-jdk8-cms-scavenge-before-remark-fls-tenuring.txt": [
    ["young", 130.6264],
    ["remark", 178.7717],
  ],
  "gcviewer-jdk7-g1-datestamps-without-timestamps.txt": [["young", 5.531]],
  "gcviewer-jdk7-g1-heapatgc-with-concurrent.txt": [["full", 32.6402]],
  "gcviewer-jdk5-parallel-promotion-failure.txt": [
    ["young", 135.131],
    ["young", 288.495],
    ["young", 360.303],
    ["young", 765.143],
    ["full", 6739.639],
    ["young", 124.905],
  ],
  "garbagecat-jdk6-cms-bailing-out-concurrent-mode-failure.txt": [["full", 124596.332]],
  // The form 1: the concurrent mode failure's own `, 9.6086750 secs]` on line 5.
  "garbagecat-dataset112-jdk7-cms-promotion-failed-concurrent-mark-inside.txt": [["full", 9608.675]],
  "garbagecat-dataset115-jdk8-cms-promotion-failure-fls.txt": [["full", 4284.7962]],
  // Scavenge `, 0.1223879 secs]` (line 12) inside the remark whose end ` 620060K(7992832K), 0.2328529 secs]` is the last line.
  "garbagecat-dataset120-jdk8-cms-scavenge-before-remark-no-details.txt": [
    ["young", 122.3879],
    ["remark", 232.8529],
  ],
  // Class histograms' own `, 12.4047720 secs]` / `, 11.9073170 secs]` are not the pause: the last line's 70.7295070 secs is.
  "garbagecat-dataset123-jdk7-cms-class-histogram-concurrent-mode-failure.txt": [["full", 70729.507]],
  "gcviewer-jdk7-cms-stopped-time-scavenge-before-remark-one-line.txt": [
    ["initial-mark", 0.2081],
    ["young", 0.0537],
    ["remark", 1.0507],
  ],
  "gcviewer-jdk9-unified-g1-defaults.txt": [
    ["young", 6.529],
    ["young-concurrent-start", 6.187],
    ["young", 2.294],
    ["young", 2.739],
    ["remark", 0.837],
    ["young", 1.052],
    ["young", 0.803],
    ["full", 14.918],
    ["cleanup", 0.001],
    ["mixed", 2.79],
  ],
  "gcviewer-jdk9-unified-cms-defaults.txt": [
    ["young", 8.822],
    ["initial-mark", 0.136],
    ["young", 2.554],
    ["young", 9.269],
    ["remark", 0.859],
    ["full", 9.775],
  ],
  // The form 3: the scavenge's own `, 0.2207345 secs]` (line 12) and the remark's `, 0.5207447 secs]` (last line).
  "garbagecat-dataset142-jdk8-cms-scavenge-before-remark-520ms.txt": [
    ["young", 220.7345],
    ["remark", 520.7447],
  ],
  "garbagecat-dataset140-jdk6-cms-scavenge-before-remark-heapatgc.txt": [
    ["young", 56.5896],
    ["remark", 412.4068],
  ],
  // JDK 7 G1 `[GC pause (young)` … ` (initial-mark), 0.12895600 secs]` on line 5.
  "garbagecat-dataset127-jdk7-g1-initial-mark-continuation-line.txt": [["young-concurrent-start", 128.956]],
  "garbagecat-dataset134-jdk8-g1-full-gc-interleaved-prefix-concurrent.txt": [["full", 1381.3895]],
  // The form 1 for G1: each young pause's own `, N secs]` after the concurrent-phase line that interrupted it.
  "garbagecat-dataset144-jdk8-g1-young-interrupted-by-root-region-scan.txt": [
    ["young", 331.4995],
    ["young", 108.3307],
  ],
  "garbagecat-dataset145-jdk8-g1-full-gc-concurrent-mark-inside.txt": [["full", 21755.2521]],
  "garbagecat-dataset146-jdk8-g1-young-concurrent-lines-inside.txt": [["young", 6.3282]],
  // Exit statistics `Pause Init Mark (G) = 0.29 s …` are a summary, not pauses.
  "garbagecat-dataset165-unified-shenandoah-statistics-excerpt.txt": [],
  "garbagecat-dataset166-jdk12-unified-time-uptimemillis-no-tags.txt": [["young", 57.263]],
  // JDK 5: `[GC [1 CMS-initial-mark: …], 2.0271745 secs]` is an initial mark, not a young pause.
  "garbagecat-dataset5-jdk5-cms-initial-mark-concurrent-mode-failure.txt": [
    ["initial-mark", 2027.1745],
    ["full", 38337.8201],
  ],
  // The full collection (GC(2264), 9.355ms) ran inside the young one (GC(2263), 9.636ms): both kept.
  "garbagecat-dataset170-unified-serial-full-inside-young.txt": [
    ["full", 9.355],
    ["young", 9.636],
  ],
  "garbagecat-dataset18-jdk6-cms-promotion-failed-concurrent-mark-inside.txt": [["full", 20234.547]],
  "garbagecat-dataset180-jdk8-g1-to-space-exhausted-continuation-line.txt": [["young", 616.7306]],
  "garbagecat-dataset183-jdk12-unified-g1-concurrent-start-time-uptimemillis.txt": [["young-concurrent-start", 105.541]],
  "garbagecat-dataset61-jdk7-cms-full-gc-concurrent-mark-inside.txt": [["full", 1365.942]],
  "garbagecat-dataset72-jdk8-cms-full-gc-heap-inspection.txt": [["full", 855.335]],
  // The class histogram's own `, 9.7637786 secs]` is not the pause; the last line's 94.9116214 secs is.
  "garbagecat-dataset73-jdk7-cms-full-gc-class-histogram-entries.txt": [["full", 94911.6214]],
  "garbagecat-dataset58-jdk8-cms-parnew-abortable-preclean-inside.txt": [["young", 38.482]],
  // JDK 8 Shenandoah `[Pause Init Mark, 0.419 ms]`.
  "garbagecat-jdk8-shenandoah-pause-init-mark-line.txt": [["shenandoah-init-mark", 0.419]],
  // grep 'Pause Young' of the excerpt: 3,496ms 10,363ms 7,049ms 6,491ms.
  "gcviewer-jdk11-unified-time-first-decimal-comma.txt": [
    ["young", 3.496],
    ["young", 10.363],
    ["young", 7.049],
    ["young", 6.491],
  ],
};

/**
 * Independent of the parser, by line shape only: a unified pause is its end line
 * (`GC(n) [Y: |O: ]Pause … <duration>ms`); a JDK 6-8 pause is each `[GC` / `[Full GC` head at the
 * start of a line body (after `[date: ][uptime: ][#id: ]`), a second head on the same line counted
 * too (JDK 7 CMSScavengeBeforeRemark), concurrent phases and `[GC ref-proc` excluded; a JDK 8
 * Shenandoah pause is `[Pause …, N ms]`.
 */
function splitCount(text: string): number {
  let n = 0;
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    if (/^\[[^\]]*\]/.test(raw) && !/^\[(GC|Full GC|Pause )/.test(raw)) {
      if (/GC\(\d+\) (?:[YOy]: )?Pause .*\d[.,]?\d*ms\s*$/.test(raw)) n++;
      continue;
    }
    // Any run of prefixes (two threads' prefixes can interleave: `date: date: 79244.87279244.872: : [Full GC`).
    const body = raw.replace(/^(?:\d{4}-\d\d-\d\dT[\d:.,]+[+-]\d{4}: ?|\d+[.,]\d+(?:[.,]\d+)?: |: |#\d+: )*/, "");
    if (/^\[(GC|Full GC)/.test(body)) n += (body.match(/\[(GC|Full GC)(?! concurrent-| ref-proc| Worker)/g) ?? []).length;
    else if (/^\[Pause [^\]]*, [\d.,]+ ms\]/.test(body)) n++;
  }
  return n;
}

/** Files that begin inside an event: the line of the orphan `, N secs]` (read in the file). */
const CUT: Record<string, number> = { "garbagecat-dataset44-jdk8-g1-file-starts-mid-event.txt": 2 };

test("the whole corpus: every file's pauses equal an independent line-shape count, nothing skipped, every pause finite", () => {
  const files = fs.readdirSync(FIX).filter((f) => f !== "PROVENANCE.md");
  assert.ok(files.length >= 100, `${files.length} files`);
  let pauses = 0;
  for (const f of files) {
    const text = fx(f);
    const r = parseGcLog(text);
    assert.notEqual(r.format, "unknown", f);
    assert.equal(r.pauses.length, splitCount(text), f);
    if (f in CUT) {
      // A file that starts mid-event: the orphan end line is listed with its number and why, not dropped.
      assert.equal(r.skipped.count, 1, f);
      assert.equal(r.skipped.first!.line, CUT[f]);
      assert.match(r.skipped.first!.reason, /starts mid-event/);
    } else assert.equal(r.skipped.count, 0, `${f}: ${JSON.stringify(r.skipped.first)}`);
    for (const p of r.pauses) assert.ok(Number.isFinite(p.pause_ms) && p.pause_ms >= 0, `${f}:${p.line}`);
    pauses += r.pauses.length;
  }
  assert.ok(pauses > 300, `${pauses} pauses`);
});

test("every fixture has a provenance line", () => {
  const prov = fx("PROVENANCE.md");
  for (const f of fs.readdirSync(FIX).filter((f) => f !== "PROVENANCE.md")) assert.ok(prov.includes(`| ${f} |`), `${f} has no PROVENANCE.md row`);
});

test("each fixture: every pause the file states, once, with its own type and time, nothing skipped", () => {
  for (const [file, want] of Object.entries(EXPECTED)) {
    const r = parseGcLog(fx(file));
    assert.deepEqual(
      r.pauses.map((p) => [p.type, p.pause_ms]),
      want,
      file,
    );
    assert.equal(r.skipped.count, 0, `${file}: ${JSON.stringify(r.skipped.first)}`);
  }
  // The grep-level splitter agrees on the files it suits (one closing figure per event line).
  for (const f of ["gcviewer-jdk6-cms.txt", "gcviewer-jdk5-parallel-promotion-failure.txt"])
    assert.deepEqual(
      endLines(fx(f)),
      EXPECTED[f].map((x) => x[1]),
      f,
    );
});

test("point 1: an event stays open across a JVM warning and a concurrent phase; a file holding only that event is a GC log", async () => {
  const file = "garbagecat-jdk6-cms-bailing-out-concurrent-mode-failure.txt";
  const r = parseGcLog(fx(file));
  assert.equal(r.format, "jdk8");
  assert.equal(r.pauses[0].concurrent_mode_failure, true);
  // The CMS-concurrent-mark printed inside the event is a cycle of its own: 40.476 s wall time (line 2).
  assert.deepEqual(
    r.cycles.map((c) => [c.name, c.duration_ms]),
    [["CMS-concurrent-mark", 40476]],
  );
  // Under a name that says nothing: found by content, one pause, and no "Only 0% of time outside GC pauses".
  const dir = tempDir();
  const p = path.join(dir, "incident-2011.txt");
  fs.writeFileSync(p, fx(file));
  const g = await gcStats(p);
  assert.equal(g.summary.pauses, 1);
  assert.equal(g.summary.pause_max_ms, 124596.332);
  assert.equal(g.summary.throughput_pct, null);
  assert.ok(!g.findings.some((f) => f.id === "gc.throughput"), JSON.stringify(g.findings.map((f) => f.title)));
  assert.ok(g.findings.some((f) => f.id === "gc.concurrent-mode-failure"));
  // JDK 6 CMS: the 13 ParNew, 3 initial marks, the remark and 2 concurrent mode failures (table above), with the
  // 11 concurrent phases that ended (grep -c 'CMS-concurrent-[a-z-]*: ' = 11) kept as cycles.
  const cms = parseGcLog(fx("gcviewer-jdk6-cms.txt"));
  assert.equal(cms.cycles.length, (fx("gcviewer-jdk6-cms.txt").match(/CMS-concurrent-[a-z-]+: /g) ?? []).length);
});

test("point 2: one type vocabulary for G1's initial-mark young pause across JDKs", () => {
  // JDK 7 `(young) (to-space exhausted) (initial-mark)`; dse68's JDK 8 `(young) (initial-mark)`; unified `Pause Young (Concurrent Start)`.
  assert.equal(parseGcLog(fx("gcviewer-jdk7-g1-young-initial-mark-to-space-exhausted.txt")).pauses[0].to_space_exhausted, true);
  const dse = fs.readFileSync(data("gc", "jdk8-g1-dse68-node.gc.log"), "utf8");
  const r = parseGcLog(dse);
  const grepInitial = (dse.match(/\[GC pause \([^)]*\) \(young\) \(initial-mark\)/g) ?? []).length;
  assert.equal(r.pauses.filter((p) => p.type === "young-concurrent-start").length, grepInitial);
  const u = parseGcLog(fs.readFileSync(data("gc", "jdk17-g1-gcstar-safepoint.gc.log"), "utf8"));
  const grepCS = (fs.readFileSync(data("gc", "jdk17-g1-gcstar-safepoint.gc.log"), "utf8").match(/Pause Young \(Concurrent Start\).*ms\s*$/gm) ?? []).length;
  assert.equal(u.pauses.filter((p) => p.type === "young-concurrent-start").length, grepCS);
});

test("point 3: CMSScavengeBeforeRemark — scavenge and remark each with its own time; totals count the remark's full pause once", async () => {
  const r = parseGcLog(fx("gcviewer-jdk8-cms-scavenge-before-remark-fls-tenuring.txt"));
  const [scavenge, remark] = r.pauses;
  assert.equal(scavenge.within_line, remark.line); // the scavenge (line 9) ran inside the remark (line 1)
  assert.equal(scavenge.line, 9);
  assert.equal(remark.real_ms, 170); // [Times: … real=0.17 secs] on the remark's own end line
  const dir = tempDir();
  const p = path.join(dir, "x.log");
  fs.writeFileSync(p, fx("gcviewer-jdk8-cms-scavenge-before-remark-fls-tenuring.txt"));
  const g = await gcStats(p);
  assert.equal(g.summary.total_pause_ms, 178.772);
  assert.deepEqual(g.summary.counts_by_type, { young: 1, remark: 1 });
  // The case: a 520.7 ms remark around a 220.7 ms scavenge — the > 500 ms finding fires on the remark.
  const p2 = path.join(dir, "remark.log");
  fs.writeFileSync(p2, fx("garbagecat-dataset142-jdk8-cms-scavenge-before-remark-520ms.txt"));
  const g2 = await gcStats(p2);
  const crit = g2.findings.find((f) => f.id === "gc.pause-critical");
  assert.ok(crit, JSON.stringify(g2.findings.map((f) => f.title)));
  assert.match(crit!.evidence, /worst 520\.7 ms \(remark/);
});

test("a pause logged inside another (Serial full inside young) is marked within it and counted once in totals", async () => {
  const r = parseGcLog(fx("garbagecat-dataset170-unified-serial-full-inside-young.txt"));
  assert.equal(r.pauses[0].within_line, r.pauses[1].line); // GC(2264) ended on line 11 inside GC(2263), which ended on line 15
  const dir = tempDir();
  const p = path.join(dir, "serial.log");
  fs.writeFileSync(p, fx("garbagecat-dataset170-unified-serial-full-inside-young.txt"));
  const g = await gcStats(p);
  assert.equal(g.summary.total_pause_ms, 9.636); // the young pause's 9.636ms already holds the full's 9.355ms
  assert.equal(g.summary.full_gcs, 1);
});

test("point 4: detection by content — time-first unified with decimal commas, datestamps only, decimal-comma JDK 7, any file name", async () => {
  const uni = fx("gcviewer-jdk11-unified-time-first-decimal-comma.txt");
  assert.equal(detectGcFormat(uni), "unified");
  const r = parseGcLog(uni);
  // Stopped time stated by the safepoint lines (grep 'Total time for which' = 10 lines; their seconds summed by hand: 0.02827 s).
  assert.equal(r.safepoints, (uni.match(/Total time for which/g) ?? []).length);
  assert.equal(r.safepointStoppedMs, 28.27);
  assert.deepEqual(
    r.pauses.map((p) => p.stopped_ms),
    [3.6337, 10.4689, 7.214, 6.59].map((x) => Math.round(x * 1000) / 1000),
  );
  assert.equal(r.pauses[0].timestamp, "2018-10-10T15:09:33.952Z");
  assert.equal(r.pauses[0].uptime_s, 0.151);
  // Stopped-time lines without time stamps count: 0.0081637 + 0.0103000 + 0.0007062 s (lines 37, 39, 44) = 19.17 ms;
  // each pause gets the stopped line that follows it.
  const st = parseGcLog(fx("gcviewer-jdk7-g1-stopped-lines-without-timestamps.txt"));
  assert.equal(st.safepoints, 3);
  assert.equal(st.safepointStoppedMs, 19.17);
  assert.deepEqual(
    st.pauses.map((p) => p.stopped_ms),
    [8.164, 0.706],
  );
  const ds = parseGcLog(fx("gcviewer-jdk7-g1-datestamps-without-timestamps.txt"));
  assert.equal(ds.format, "jdk8");
  assert.equal(ds.pauses[0].timestamp, "2013-12-21T14:49:27.817Z");
  // [time][uptimemillis] only: the time stamp and uptime of the end line `[2019-05-09T01:39:00.821+0000][5413ms]`.
  const um = parseGcLog(fx("garbagecat-dataset166-jdk12-unified-time-uptimemillis-no-tags.txt")).pauses[0];
  assert.deepEqual([um.timestamp, um.uptime_s, um.real_ms], ["2019-05-09T01:39:00.821Z", 5.413, 60]);
  assert.equal(parseGcLog(fx("garbagecat-dataset144-jdk8-g1-young-interrupted-by-root-region-scan.txt")).pauses[0].to_space_exhausted, true);
  const comma = parseGcLog(fx("gcviewer-jdk7-g1-pause-with-comma.txt")).pauses[0];
  assert.deepEqual([comma.heap_before_mb, comma.heap_after_mb, comma.real_ms, comma.uptime_s], [4985.5, 4491, 70, 0.0165]);
  // Under names that say nothing, each file is found by content and read.
  const dir = tempDir();
  for (const [name, f] of [
    ["node1-output.txt", "gcviewer-jdk11-unified-time-first-decimal-comma.txt"],
    ["capture.out", "gcviewer-jdk7-g1-datestamps-without-timestamps.txt"],
    ["today.txt", "gcviewer-jdk7-g1-pause-with-comma.txt"],
    ["crlf.txt", "gcviewer-jdk6-cms.txt"],
  ] as const) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, name === "crlf.txt" ? "\uFEFF" + fx(f).replace(/\n/g, "\r\n") : fx(f));
    const g = await gcStats(p);
    assert.equal(g.summary.pauses, EXPECTED[f].length, name);
    assert.equal(g.summary.skipped_lines, 0, `${name}: ${g.notes.join(" ")}`);
  }
});

test("issue 23 (a): two copies and overlapping ranges of one rotated log count every pause once, with a note", async () => {
  const text = fx("gcviewer-jdk6-cms.txt");
  const lines = text.split("\n");
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "nodes", "n1", "logs"), { recursive: true });
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "gc.log.0"), text);
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "gc.log.0.copy"), text);
  // An overlapping range: lines 20 to the end again, as a later rotation that repeats them.
  fs.writeFileSync(path.join(dir, "nodes", "n1", "logs", "gc.log.1"), lines.slice(19).join("\n"));
  const g = await gcStats(dir);
  assert.equal(g.summary.pauses, EXPECTED["gcviewer-jdk6-cms.txt"].length);
  const dupNotes = g.notes.filter((n) => /duplicate pause\(s\) dropped/.test(n));
  assert.equal(dupNotes.length, 2, g.notes.join("\n"));
  assert.ok(
    dupNotes.some((n) => /19 duplicate pause\(s\) dropped from nodes\/n1\/logs\/gc\.log\.0\.copy/.test(n)),
    dupNotes.join("\n"),
  );
});

test("point 5: an OpsCenter daemon GC log in a bundle is not a node; no row or finding has an empty node; health's worst pause is the node's", async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "nodes", "10.0.0.1", "logs", "cassandra"), { recursive: true });
  fs.mkdirSync(path.join(dir, "opscenterd"), { recursive: true });
  fs.writeFileSync(path.join(dir, "nodes", "10.0.0.1", "logs", "cassandra", "gc.log.0.current"), fx("gcviewer-jdk6-cms.txt"));
  // OpsCenter's JVM with a far worse pause (6,739.639 ms, the Parallel full GC of this file).
  fs.writeFileSync(path.join(dir, "opscenterd", "gc.log.0.current"), fx("gcviewer-jdk5-parallel-promotion-failure.txt"));
  const g = await gcStats(dir);
  assert.equal(g.summary.nodes, 1);
  assert.ok(g.rows("pauses").every((p) => p.node === "10.0.0.1"));
  assert.ok(
    g.findings.every((f) => f.node === "10.0.0.1" && !/ on $/.test(f.title)),
    JSON.stringify(g.findings.map((f) => f.title)),
  );
  assert.ok(
    g.notes.some((n) => /opscenterd\/gc\.log\.0\.current is the GC log of the OpsCenter daemon/.test(n)),
    g.notes.join("\n"),
  );
  const h = await health(dir);
  const worst = h.rows("headline").find((r) => r.metric === "worst GC pause (gc log)")!;
  assert.equal(worst.node, "10.0.0.1");
  assert.equal(worst.value, "30.7 ms"); // 30.7281 ms, the node's worst ParNew (line 3)
});

test("point 6: dse68 — the 2,066 ms G1 Old Generation pause GCInspector logged after gc.log ends counts, once", async () => {
  const dir = data("diag", "dse68");
  const g = await gcStats(dir);
  const sys = fs.readFileSync(path.join(dir, "nodes/172.17.0.2/logs/cassandra/system.log"), "utf8");
  assert.match(sys, /G1 Old Generation GC in 2066ms/);
  assert.equal(g.summary.pause_max_ms, 2066);
  // The GC log states no full GC (grep -c 'Full GC' = 0); the full GC counted is GCInspector's G1 Old Generation.
  assert.equal((fs.readFileSync(path.join(dir, "nodes/172.17.0.2/logs/cassandra/gc.log.0.current"), "utf8").match(/Full GC/g) ?? []).length, 0);
  assert.equal(g.summary.full_gcs, 1);
  // GCInspector lines dated after the GC log's last date stamp (2020-07-21T07:13:52): counted; the others are the GC log's own.
  const gcText = fs.readFileSync(path.join(dir, "nodes/172.17.0.2/logs/cassandra/gc.log.0.current"), "utf8");
  const lastStamp = [...gcText.matchAll(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\+0000: /gm)].pop()![1];
  const insp = [...sys.matchAll(/^\S+\s+\[[^\]]+\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\s+GCInspector\.java:\d+ - .* GC in \d+ms/gm)].map((m) =>
    m[1].replace(" ", "T").replace(",", "."),
  );
  const after = insp.filter((t) => t > lastStamp).length;
  assert.ok(after >= 1);
  assert.equal(g.summary.gcinspector_pauses_beyond_gc_log, after);
  const gcLogPauses = g.rows("pauses").filter((p) => p.origin === "gc-log").length;
  assert.equal(g.summary.pauses, gcLogPauses + after);
  assert.ok(
    g.notes.some((n) => /time covered by each kind of evidence: GC log 2020-07-20T09:09:26\.817Z – 2020-07-21T07:13:52\.425Z/.test(n)),
    g.notes.join("\n"),
  );
  const h = await health(dir);
  assert.equal(h.rows("headline").find((r) => r.metric === "worst GC pause (gc log)")!.value, "2066 ms");
});
