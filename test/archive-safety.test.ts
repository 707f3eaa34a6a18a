// open() and the readers behind every helper, given hostile or careless input (issue "Safe with
// hostile and careless input"): archives that unpack past what memory or a string can hold,
// named pipes, unreadable parts, a manifest that lies, files that vanish, and signals. Anything
// that crashed or hung the process before runs in a child process, so a regression fails this
// file cleanly instead of taking the test runner down with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { openRecorded } from "../src/cluster/recorded";
import { gunzipHead, MAX_TEXT_BYTES } from "../src/cluster/archive";
import { gcStats, inventory, isCassperfError } from "../src/index";
import { data, tempDir, ROOT } from "./support";
import { bigGz, repeatLines, writeZip, zerosTarGz } from "./hostile-archives";

const DSE68 = data("diag", "dse68");
const LAB_GC = data("lab", "node1", "gc.log");
const MiB = 2 ** 20;

/** Run a script (plain JS over the build in dist/) in a child process; as the user nobody when asked and we are root. */
function child(script: string, opts: { timeout?: number; nobody?: boolean } = {}) {
  const nobody = opts.nobody && process.getuid?.() === 0;
  const argv = [...(nobody ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []), process.execPath, "-e", script];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", cwd: ROOT, timeout: opts.timeout ?? 60_000, env: { ...process.env, TZ: "UTC" } });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  let out: any;
  try {
    out = JSON.parse(last);
  } catch {
    out = undefined;
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, out };
}
// Children load the build (scripts/test.mjs builds before any test runs): no TypeScript to compile at each start.
const SRC = JSON.stringify(path.join(ROOT, "dist"));

/** A 1 MiB chunk of real GC log lines (the lab's first 12 KB, repeated): compresses ~100:1 like a real log. */
function gcChunk(): Buffer {
  return repeatLines(fs.readFileSync(LAB_GC, "utf8").slice(0, 12_000), MiB);
}

test("a .zip holding one gc.log that unpacks past V8's longest string: readText refuses it naming file, entry and limit; gcStats streams it whole", async () => {
  const dir = tempDir();
  const zip = path.join(dir, "gc.log.zip");
  // 600 MiB of gc log lines: past MAX_TEXT_BYTES, buffer.constants.MAX_STRING_LENGTH = 2^29-24 bytes (node docs).
  writeZip(zip, [{ name: "gc.log", chunk: gcChunk(), repeat: 600 }]);
  assert.ok(fs.statSync(zip).size < 10 * MiB, "small on disk");
  assert.equal(MAX_TEXT_BYTES, 2 ** 29 - 24);
  // Nested: the same zip as gc.log.1.zip inside a bundle zip (the probe's 30 KB bundle shape).
  const stage = path.join(dir, "bundle", "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(stage, { recursive: true });
  fs.copyFileSync(zip, path.join(stage, "gc.log.1.zip"));
  fs.copyFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), path.join(stage, "system.log"));
  execFileSync("sh", ["-c", `cd ${JSON.stringify(dir)} && zip -qr bundle.zip bundle`]);
  const script = `
    const { gcStats } = require(${SRC} + "/index");
    const { openRecorded } = require(${SRC} + "/cluster/recorded");
    (async () => {
      const out = {};
      const s = await openRecorded(${JSON.stringify(zip)});
      try { await s.readText(s.files()[0]); out.read = "read"; } catch (e) { out.read = e.name + ": " + e.message; }
      try { out.gc = (await gcStats(${JSON.stringify(zip)})).summary.pauses; } catch (e) { out.gc = e.name + ": " + e.message; }
      const b = await openRecorded(${JSON.stringify(path.join(dir, "bundle.zip"))});
      const g = await gcStats(b).catch((e) => ({ notes: [e.name + ": " + e.message], summary: {} }));
      out.nested = g.notes.join(" | ");
      out.nestedPauses = g.summary.gc_log_files;
      out.rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
      console.log(JSON.stringify(out));
    })();`;
  const r = child(script, { timeout: 120_000 });
  assert.equal(r.status, 0, `the process survives (exit ${r.status}, signal ${r.signal}): ${r.stderr.slice(-800)}`);
  const limit = "512 MiB"; // 2^29-24 bytes in binary units, no decimals from 100 up (formatBytes)
  assert.match(
    r.out.read,
    new RegExp(`^CassperfError: .*gc\\.log\\.zip: entry "gc\\.log" unpacks to 600 MiB: too large to read as one text .*at most ${limit}`),
  );
  // gcStats reads GC logs block by block (no whole-file string): every pause of the 600 MiB is
  // counted. Expected: pause end lines (`GC(n) Pause ... N.NNNms`) counted by a regex over the
  // chunk, once alone and once doubled (a line may run across the seam), times the 600 copies.
  const chunk = gcChunk().toString("utf8");
  const ends = (t: string) => (t.match(/^\[[^\n]*\] GC\(\d+\) Pause [^\n]* \d+(?:\.\d+)?ms$/gm) ?? []).length;
  const one = ends(chunk);
  assert.ok(one > 0);
  assert.equal(r.out.gc, one + 599 * (ends(chunk + chunk) - one));
  assert.doesNotMatch(r.out.nested, /too large to read as one text/);
  assert.equal(r.out.nestedPauses, 1);
});

test("a zip whose directory understates its entry: stopped by the running byte count at the limit", async () => {
  const dir = tempDir();
  const zip = path.join(dir, "liar.zip");
  writeZip(zip, [
    { name: "system.log", chunk: repeatLines(fs.readFileSync(data("logs", "cassandra30-system.log"), "utf8").slice(0, 12_000), MiB), repeat: 40 },
  ]);
  // Rewrite both size fields of the entry to 1 KiB (local header offset 22, central header offset 24).
  const b = fs.readFileSync(zip);
  b.writeUInt32LE(1024, 22);
  const cd = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  b.writeUInt32LE(1024, cd + 24);
  fs.writeFileSync(zip, b);
  const s = await openRecorded(zip, { maxExtractBytes: 8 * MiB });
  await assert.rejects(s.readText(s.files()[0]), (e: Error) => {
    assert.ok(isCassperfError(e));
    // Either the running count (8 MiB, the limit given) or yauzl's size check stops it; never a crash.
    assert.match(
      e.message,
      /liar\.zip: entry "system\.log" unpacks to more than 8\.0 MiB, past the limit of 8\.0 MiB|liar\.zip is a truncated or corrupt zip file \(too many bytes in the stream/,
    );
    return true;
  });
});

test("a plain file too large to hold as one string: a CassperfError with file, size and limit", async () => {
  const dir = tempDir();
  const logDir = path.join(dir, "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, "system.log");
  fs.writeFileSync(log, fs.readFileSync(data("logs", "cassandra30-system.log")));
  fs.truncateSync(log, 600 * MiB); // sparse: costs no disk
  const s = await openRecorded(dir);
  await assert.rejects(
    s.readText(s.files({ kind: "system-log" })[0]),
    /^CassperfError: .*nodes\/n1\/logs\/cassandra\/system\.log is 600 MiB: too large to read as one text \(cassperf holds each file as one string, at most 512 MiB/,
  );
});

test("a .gz of a log past the string limit says 'too large', not 'truncated or corrupt'", async () => {
  const dir = tempDir();
  const gz = path.join(dir, "system.log.1.gz");
  bigGz(gz, fs.readFileSync(data("logs", "cassandra30-system.log")), 560);
  // Sniffing its kind inflates a few KiB of input, not 256 KiB (which a 1000:1 bomb turns into ~256 MiB in one call).
  assert.ok(gunzipHead(gz, 256 * 1024).length <= 8 * MiB, "the sniff stays small");
  const s = await openRecorded(gz);
  assert.equal(s.files()[0].kind, "system-log");
  await assert.rejects(s.readText(s.files()[0]), (e: Error) => {
    assert.match(e.message, /system\.log\.1\.gz unpacks to more than 512 MiB: too large to read as one text/);
    assert.doesNotMatch(e.message, /truncated|corrupt/);
    return true;
  });
});

test(".tar.gz bomb: a 5 GiB entry is refused at its header with the limit named, memory flat", () => {
  const dir = tempDir();
  const bomb = path.join(dir, "bomb.tar.gz");
  zerosTarGz(bomb, [{ name: "bundle/nodes/n1/logs/cassandra/system.log", bytes: 5 * 2 ** 30 }]);
  assert.ok(fs.statSync(bomb).size < 8 * MiB, "a few MB on disk");
  const script = `
    const { openRecorded } = require(${SRC} + "/cluster/recorded");
    let peak = 0; const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    (async () => {
      const out = {};
      try { await openRecorded(${JSON.stringify(bomb)}); out.msg = "opened"; } catch (e) { out.msg = e.message; }
      clearInterval(t); out.peakMiB = Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
      console.log(JSON.stringify(out));
    })();`;
  const r = child(script, { timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr.slice(-500));
  // DEFAULT_EXTRACT_LIMITS.maxBytes is 4 GiB (open's documented default, README/OpenOptions).
  assert.match(
    r.out.msg,
    /refused .*bomb\.tar\.gz: it would unpack to more than 4\.0 GiB \(at least 5\.0 GiB by entry "bundle\/nodes\/n1\/logs\/cassandra\/system\.log"/,
  );
  assert.doesNotMatch(r.out.msg, /truncated|corrupt|copy the bundle/);
  assert.ok(r.out.peakMiB < 300, `peak RSS ${r.out.peakMiB} MiB`);
  console.log(`5 GiB .tar.gz bomb: peak RSS ${r.out.peakMiB} MiB`);
});

test(".tar.gz over the limit after entries already unpacked: streamed with a running count, RSS bounded, folder removed", () => {
  const dir = tempDir();
  const bomb = path.join(dir, "three.tar.gz");
  // Three 200 MiB entries, limit 450 MiB: two unpack (400 MiB through the stream), the third is refused.
  zerosTarGz(
    bomb,
    [1, 2, 3].map((i) => ({ name: `b/nodes/n${i}/logs/cassandra/system.log`, bytes: 200 * MiB })),
  );
  const script = `
    const fs = require("node:fs"); const os = require("node:os");
    const { openRecorded } = require(${SRC} + "/cluster/recorded");
    const before = new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("cassperf-open-")));
    let peak = 0; const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    (async () => {
      const out = {};
      const t0 = Date.now();
      try { await openRecorded(${JSON.stringify(bomb)}, { maxExtractBytes: 450 * 2 ** 20 }); out.msg = "opened"; } catch (e) { out.msg = e.message; }
      clearInterval(t); out.peakMiB = Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20); out.ms = Date.now() - t0;
      out.left = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("cassperf-open-") && !before.has(n));
      console.log(JSON.stringify(out));
    })();`;
  const r = child(script, { timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr.slice(-500));
  // 3 x 200 MiB = 600 MiB > 450 MiB, crossed at the third entry (hand sum).
  assert.match(
    r.out.msg,
    /refused .*three\.tar\.gz: it would unpack to more than 450 MiB \(at least 600 MiB by entry "b\/nodes\/n3\/logs\/cassandra\/system\.log"/,
  );
  // Before: node-tar read the small file whole and inflated it in one go (RSS above the 400 MiB unpacked).
  assert.ok(r.out.peakMiB < 300, `peak RSS ${r.out.peakMiB} MiB while 400 MiB streamed through`);
  console.log(`over-limit .tar.gz: peak RSS ${r.out.peakMiB} MiB, ${r.out.ms} ms`);
  assert.deepEqual(r.out.left, [], "the half-extracted folder is removed");
});

test("a FIFO is refused by open(), gcStats(path), importStress and `cassperf report`; in a folder it is skipped with a note", () => {
  const dir = tempDir();
  const fifo = path.join(dir, "gc.log");
  execFileSync("mkfifo", [fifo]);
  const bundle = path.join(dir, "bundle", "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(bundle, { recursive: true });
  fs.copyFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), path.join(bundle, "system.log"));
  execFileSync("mkfifo", [path.join(bundle, "gc.log")]);
  const script = `
    const { open, gcStats, importStress } = require(${SRC} + "/index");
    (async () => {
      const out = {};
      const msg = async (f) => { try { await f(); return "ok"; } catch (e) { return e.name + ": " + e.message; } };
      out.open = await msg(() => open(${JSON.stringify(fifo)}));
      out.gc = await msg(() => gcStats(${JSON.stringify(fifo)}));
      out.stress = await msg(() => importStress(${JSON.stringify(fifo)}));
      const s = await open(${JSON.stringify(path.join(dir, "bundle"))});
      out.files = s.files().map((f) => f.rel);
      out.gcNotes = (await gcStats()).notes;
      console.log(JSON.stringify(out));
    })();`;
  const r = child(script, { timeout: 30_000 });
  assert.equal(r.signal, null, "no hang (the child was not killed by the timeout)");
  assert.equal(r.status, 0, r.stderr.slice(-500));
  // The words come from fs.Stats.isFIFO(): mkfifo made a named pipe.
  assert.match(r.out.open, new RegExp(`^CassperfError: open: ${fifo} is a named pipe \\(FIFO\\), not a regular file or folder`));
  assert.match(r.out.gc, /^CassperfError: open: .*gc\.log is a named pipe \(FIFO\)/);
  assert.match(r.out.stress, /^CassperfError: importStress: .*gc\.log is a named pipe \(FIFO\), not a regular file/);
  assert.deepEqual(r.out.files, ["nodes/n1/logs/cassandra/system.log"]);
  assert.ok(
    r.out.gcNotes.some((n: string) => /nodes\/n1\/logs\/cassandra\/gc\.log is a named pipe \(FIFO\), not a regular file; skipped/.test(n)),
    r.out.gcNotes.join("\n"),
  );
  const cli = spawnSync(process.execPath, [path.join(ROOT, "dist", "cli.js"), "report", fifo], { encoding: "utf8", timeout: 30_000 });
  assert.equal(cli.signal, null, "cassperf report does not hang");
  assert.notEqual(cli.status, 0);
  assert.match(cli.stdout + cli.stderr, /is a named pipe \(FIFO\), not a regular file or folder/);
});

test("nodetool output saved under another command's name is read as what it is, and every report says so", async () => {
  const dir = tempDir();
  const nt = (node: string) => {
    const d = path.join(dir, "nodes", node, "nodetool");
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  // n1: the lab's real cfhistograms text saved as proxyhistograms, its cfstats text saved as info.
  fs.copyFileSync(data("lab", "nodetool-2.1-cfhistograms.txt"), path.join(nt("n1"), "proxyhistograms"));
  fs.copyFileSync(data("lab", "nodetool-2.1-cfstats.txt"), path.join(nt("n1"), "info"));
  // n2: the same outputs under their right names.
  fs.copyFileSync(data("lab", "nodetool-2.1-proxyhistograms.txt"), path.join(nt("n2"), "proxyhistograms"));
  fs.copyFileSync(data("lab", "nodetool-2.1-cfhistograms.txt"), path.join(nt("n2"), "cfhistograms"));
  fs.copyFileSync(data("lab", "nodetool-2.1-info.txt"), path.join(nt("n2"), "info"));
  const s = await openRecorded(dir);
  const cmd = (node: string, c: string) => s.files({ node, kind: "nodetool", command: c }).map((f) => f.rel);
  // The files' own headers (grep): "Keyspace1/Standard1 histograms" + "Percentile  SSTables ...", and "Keyspace: Keyspace1 / Read Count".
  assert.deepEqual(cmd("n1", "tablehistograms"), ["nodes/n1/nodetool/proxyhistograms"]);
  assert.deepEqual(cmd("n1", "proxyhistograms"), []);
  assert.deepEqual(cmd("n1", "tablestats"), ["nodes/n1/nodetool/info"]);
  assert.deepEqual(cmd("n1", "info"), []);
  assert.deepEqual(cmd("n2", "proxyhistograms"), ["nodes/n2/nodetool/proxyhistograms"]);
  const expected = [
    "nodes/n1/nodetool/info is named like nodetool info but holds nodetool tablestats output; read as tablestats.",
    "nodes/n1/nodetool/proxyhistograms is named like nodetool proxyhistograms but holds nodetool tablehistograms output; read as tablehistograms.",
  ];
  assert.deepEqual([...s.notes].sort(), expected);
  const h = await s.histograms();
  for (const n of expected) assert.ok(h.notes.includes(n), "histograms() says so too");
  // The right outputs of the real bundles raise no such note (netstats' own "Pool Name" table is not tpstats).
  for (const b of [DSE68, data("diag", "cassandra-2.1.17")]) assert.deepEqual((await openRecorded(b)).notes, []);
  // A node with its cfhistograms saved twice (once under the proxyhistograms name) is read once.
  fs.copyFileSync(data("lab", "nodetool-2.1-cfhistograms.txt"), path.join(nt("n3"), "cfhistograms"));
  fs.copyFileSync(data("lab", "nodetool-2.1-cfhistograms.txt"), path.join(nt("n3"), "proxyhistograms"));
  const twice = await openRecorded(dir);
  assert.deepEqual(
    twice.files({ node: "n3", kind: "nodetool", command: "tablehistograms" }).map((f) => f.rel),
    ["nodes/n3/nodetool/cfhistograms"],
  );
  assert.ok(
    twice.notes.includes(
      "nodes/n3/nodetool/proxyhistograms is a byte-for-byte copy of nodes/n3/nodetool/cfhistograms; read once, as nodes/n3/nodetool/cfhistograms.",
    ),
    twice.notes.join("\n"),
  );
  const single = await openRecorded(path.join(dir, "nodes", "n1", "nodetool", "proxyhistograms"));
  assert.equal(single.files()[0].command, "tablehistograms");
});

test("unreadable parts of a bundle are listed in every helper's notes; an unreadable node folder keeps its node", () => {
  // Root reads anything, so this runs as the user nobody (setpriv): real permission errors.
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const a = path.join(dir, "b", "nodes", "a", "logs", "cassandra");
  const bNode = path.join(dir, "b", "nodes", "b", "logs", "cassandra");
  fs.mkdirSync(a, { recursive: true });
  fs.mkdirSync(bNode, { recursive: true });
  fs.copyFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), path.join(a, "system.log"));
  fs.copyFileSync(LAB_GC, path.join(a, "gc.log"));
  fs.copyFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), path.join(bNode, "system.log"));
  execFileSync("chmod", ["-R", "a+rX", path.join(dir, "b")]);
  fs.chmodSync(path.join(a, "gc.log"), 0);
  fs.chmodSync(path.join(dir, "b", "nodes", "b"), 0);
  const script = `
    const { open, gcStats, logs, inventory } = require(${SRC} + "/index");
    (async () => {
      const s = await open(${JSON.stringify(path.join(dir, "b"))});
      const inv = await inventory();
      const gc = await gcStats();
      const lg = await logs();
      console.log(JSON.stringify({ nodes: s.nodes(), notes: s.notes, gc: gc.notes, logs: lg.notes, inv: inv.findings.filter((f) => f.id === "inventory.unreadable-file").map((f) => f.title), gcNodes: [...new Set(gc.rows("pauses").map((p) => p.node))] }));
    })();`;
  const r = child(script, { nobody: true });
  assert.equal(r.status, 0, r.stderr.slice(-800));
  assert.deepEqual(r.out.nodes, ["a", "b"], "node b is still a node, though its folder cannot be listed");
  const gcNote = "nodes/a/logs/cassandra/gc.log could not be read (permission denied); what it holds is missing from this report.";
  const folderNote = "nodes/b/ could not be read (permission denied; the folder could not be listed); what it holds is missing from this report.";
  for (const notes of [r.out.notes, r.out.gc, r.out.logs]) {
    assert.ok(notes.includes(gcNote), notes.join("\n"));
    assert.ok(notes.includes(folderNote), notes.join("\n"));
  }
  assert.deepEqual(r.out.inv.sort(), ["nodes/a/logs/cassandra/gc.log could not be read and was skipped", "nodes/b/ could not be read and was skipped"]);
});

test("'has no system.log' or 'is not a GC log' only when true: an unreadable log is named with why", () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const logDir = path.join(dir, "b", "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(logDir, { recursive: true });
  fs.copyFileSync(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), path.join(logDir, "system.log"));
  fs.copyFileSync(LAB_GC, path.join(logDir, "gc.log"));
  execFileSync("chmod", ["-R", "a+rX", path.join(dir, "b")]);
  fs.chmodSync(path.join(logDir, "system.log"), 0);
  // A bundle whose only GC evidence, its gc.log, cannot be read.
  const gcOnly = path.join(dir, "g", "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(gcOnly, { recursive: true });
  fs.copyFileSync(LAB_GC, path.join(gcOnly, "gc.log"));
  fs.copyFileSync(data("logs", "cassandra30-system.log"), path.join(gcOnly, "system.log")); // no GCInspector line (grep -c: 0)
  const only = path.join(dir, "only", "logs");
  fs.mkdirSync(only, { recursive: true });
  fs.copyFileSync(LAB_GC, path.join(only, "gc.log"));
  execFileSync("chmod", ["-R", "a+rX", path.join(dir, "g"), path.join(dir, "only")]);
  fs.chmodSync(path.join(gcOnly, "gc.log"), 0);
  fs.chmodSync(path.join(only, "gc.log"), 0);
  const script = `
    const { logs, gcStats } = require(${SRC} + "/index");
    (async () => {
      const l = await logs(${JSON.stringify(path.join(dir, "b"))});
      // A source with no GC evidence gives an empty report that says why (summary.answered false), not a throw.
      let gc; try { const g = await gcStats(${JSON.stringify(path.join(dir, "g"))}); gc = g.summary.answered === false ? g.summary.reason : "ok"; } catch (e) { gc = e.message; }
      let none; try { await gcStats(${JSON.stringify(path.join(dir, "only"))}); none = "ok"; } catch (e) { none = e.message; }
      console.log(JSON.stringify({ notes: l.notes, gc, none }));
    })();`;
  const r = child(script, { nobody: true });
  assert.equal(r.status, 0, r.stderr.slice(-800));
  assert.match(
    r.out.gc,
    /has no GC logs, GCInspector lines in system\.log, or nodetool gcstats output \(1 file could not be read: nodes\/n1\/logs\/cassandra\/gc\.log \(permission denied\)\)/,
  );
  assert.doesNotMatch(r.out.gc, /is not a GC log/);
  // A folder holding only the unreadable gc.log: "nothing cassperf could read", not "nothing it recognises".
  assert.match(r.out.none, /^open: .*\/only holds nothing cassperf could read \(1 could not be read: logs\/gc\.log \(permission denied\)\)/);
  assert.ok(
    r.out.notes.some((n: string) =>
      /has no readable system\.log or debug\.log: nodes\/n1\/logs\/cassandra\/system\.log \(permission denied\) could not be read/.test(n),
    ),
    r.out.notes.join("\n"),
  );
  assert.ok(!r.out.notes.some((n: string) => /has no system\.log/.test(n)));
});

/** A copy of the bundled dataset, with its manifest edited by `edit`. */
function datasetCopy(edit?: (m: any) => any): string {
  const dir = path.join(tempDir(), "ds");
  fs.cpSync(path.join(ROOT, "datasets", "lab-3node"), dir, { recursive: true });
  if (edit) {
    const p = path.join(dir, "cassperf.json");
    fs.writeFileSync(p, JSON.stringify(edit(JSON.parse(fs.readFileSync(p, "utf8")))));
  }
  return dir;
}

test("cassperf.json: null, another format version and wrong field types give clear words, never a TypeError", async () => {
  await assert.rejects(
    openRecorded(datasetCopy(() => null)),
    /^CassperfError: open: .*cassperf\.json is null, not a cassperf dataset manifest; expected a JSON object/,
  );
  await assert.rejects(openRecorded(datasetCopy(() => [1])), /cassperf\.json is an array, not a cassperf dataset manifest/);
  await assert.rejects(openRecorded(datasetCopy((m) => ({ ...m, version: 2 }))), /cassperf\.json has format version 2; this cassperf reads version 1/);
  await assert.rejects(openRecorded(datasetCopy((m) => ({ ...m, version: undefined }))), /cassperf\.json has format version \(none\)/);
  const s = await openRecorded(datasetCopy((m) => ({ ...m, cassandra_versions: { ...m.cassandra_versions, "127.0.0.2": 4 }, nodes: "127.0.0.1" })));
  for (const re of [
    /cassperf\.json: cassandra_versions\["127\.0\.0\.2"\] is 4 \(a number\), expected a version string like "4\.0\.11"; ignored\./,
    /cassperf\.json: nodes is "127\.0\.0\.1" \(a string\), expected a list of strings; ignored\./,
  ])
    assert.ok(
      s.notes.some((n) => re.test(n)),
      `${re} in:\n${s.notes.join("\n")}`,
    );
  assert.equal(s.notes.length, 2);
  assert.deepEqual(s.manifest?.cassandra_versions, { "127.0.0.1": "2.1.0", "127.0.0.3": "2.1.0" });
  const advice = await s.compactionAdvice();
  assert.ok(
    advice.notes.some((n) => /cassandra_versions\["127\.0\.0\.2"\] is 4/.test(n)),
    "the note is on compactionAdvice's report",
  );
});

test("cassperf.json's sizes and sha256 are checked: a doubled gc.log and a missing file are named on every report", async () => {
  const dir = datasetCopy();
  const gcRel = "nodes/127.0.0.1/logs/cassandra/gc.log";
  const gc = path.join(dir, gcRel);
  const original = fs.statSync(gc).size;
  fs.appendFileSync(gc, fs.readFileSync(gc));
  fs.rmSync(path.join(dir, "nodes/127.0.0.2/nodetool/tpstats"));
  fs.writeFileSync(path.join(dir, "nodes/127.0.0.3/nodetool/extra.txt"), "added later\n");
  // Same size, other bytes: only the sha256 can tell.
  const cfstats = path.join(dir, "nodes/127.0.0.3/nodetool/cfstats");
  const b = fs.readFileSync(cfstats);
  b[b.length - 2] = b[b.length - 2] === 0x31 ? 0x32 : 0x31;
  fs.writeFileSync(cfstats, b);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "cassperf.json"), "utf8"));
  assert.equal(manifest.files[gcRel].bytes, original, "the manifest lists the original size");
  const s = await openRecorded(dir);
  const want = [
    `${gcRel} is ${2 * original} bytes but cassperf.json says ${original}`,
    "nodes/127.0.0.2/nodetool/tpstats is listed in",
    "nodes/127.0.0.3/nodetool/cfstats has sha256",
    "nodes/127.0.0.3/nodetool/extra.txt is not listed in",
  ];
  for (const w of want)
    assert.ok(
      s.notes.some((n) => n.startsWith(w)),
      `note starting "${w}" in:\n${s.notes.join("\n")}`,
    );
  assert.equal(s.notes.length, 4);
  const g = await gcStats(s);
  assert.ok(
    g.notes.some((n) => n.startsWith(want[0])),
    "gcStats says the gc.log changed",
  );
  const inv = await inventory(s);
  assert.ok(inv.notes.some((n) => n.startsWith(want[1])));
  // The untouched bundled dataset verifies clean.
  assert.deepEqual((await openRecorded(path.join(ROOT, "datasets", "lab-3node"))).notes, []);
});

for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`extraction folders are removed on ${sig}, and ${sig} still ends the process`, async () => {
    const dir = tempDir();
    const tgz = path.join(dir, "dse68.tar.gz");
    execFileSync("tar", ["-czf", tgz, "-C", path.dirname(DSE68), path.basename(DSE68)]);
    const script = `
      const { openRecorded } = require(${SRC} + "/cluster/recorded");
      openRecorded(${JSON.stringify(tgz)}).then((s) => { console.log(JSON.stringify({ root: s.root })); setInterval(() => {}, 1000); });`;
    const c = spawn(process.execPath, ["-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const root: string = await new Promise((resolve, reject) => {
      c.stdout.on("data", (d) => {
        out += d;
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line).root);
      });
      c.on("exit", (code) => reject(new Error(`child exited ${code} before opening`)));
    });
    assert.ok(fs.existsSync(root) && root.startsWith(os.tmpdir()), root);
    const ended: { code: number | null; signal: string | null } = await new Promise((resolve) => {
      c.removeAllListeners("exit");
      c.on("exit", (code, signal) => resolve({ code, signal }));
      c.kill(sig);
    });
    assert.deepEqual(ended, { code: null, signal: sig }, "the process ends by the signal, as it would without cassperf");
    const extraction = path.dirname(path.dirname(root)) === os.tmpdir() ? path.dirname(root) : root;
    assert.ok(!fs.existsSync(root) && !fs.existsSync(extraction), `${extraction} removed`);
  });
}

test("a program's own SIGINT handler keeps the process alive and the extraction in place until exit", async () => {
  const dir = tempDir();
  const tgz = path.join(dir, "dse68.tar.gz");
  execFileSync("tar", ["-czf", tgz, "-C", path.dirname(DSE68), path.basename(DSE68)]);
  const script = `
    const fs = require("node:fs");
    const { openRecorded } = require(${SRC} + "/cluster/recorded");
    openRecorded(${JSON.stringify(tgz)}).then((s) => {
      process.on("SIGINT", () => { console.log(JSON.stringify({ afterSigint: fs.existsSync(s.root) })); setTimeout(() => process.exit(0), 50); });
      console.log(JSON.stringify({ root: s.root }));
      setInterval(() => {}, 1000);
    });`;
  const c = spawn(process.execPath, ["-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const lines: any[] = [];
  await new Promise<void>((resolve) => {
    c.stdout.on("data", (d) => {
      out += d;
      const parsed = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      if (parsed.length > lines.length) {
        lines.splice(0, lines.length, ...parsed);
        if (lines.length === 1) c.kill("SIGINT");
      }
    });
    c.on("exit", () => resolve());
  });
  assert.equal(lines[1].afterSigint, true, "the REPL-style handler still sees its files");
  assert.equal(c.exitCode, 0);
  assert.ok(!fs.existsSync(lines[0].root), "removed at exit");
});

test("files that vanish while open() walks a folder (logs rotating underneath) are skipped with a note, never a raw ENOENT", async () => {
  const dir = tempDir();
  const logs = path.join(dir, "n1");
  fs.mkdirSync(logs);
  fs.copyFileSync(data("logs", "cassandra30-system.log"), path.join(logs, "system.log"));
  const churn = path.join(logs, "rot");
  fs.mkdirSync(churn);
  // A real rotation storm: another process creating and deleting 200 gc.log.N files and folders in a tight loop.
  const storm = spawn(
    process.execPath,
    [
      "-e",
      `const fs = require("fs"), p = require("path"), d = ${JSON.stringify(churn)};
    for (;;) { for (let i = 0; i < 200; i++) { fs.writeFileSync(p.join(d, "gc.log." + i), "x"); fs.mkdirSync(p.join(d, "d" + i), { recursive: true }); fs.writeFileSync(p.join(d, "d" + i, "gc.log"), "y"); }
      for (let i = 0; i < 200; i++) { fs.rmSync(p.join(d, "gc.log." + i), { force: true }); fs.rmSync(p.join(d, "d" + i), { recursive: true, force: true }); } }`,
    ],
    { stdio: "ignore" },
  );
  try {
    let opened = 0;
    let vanishedNotes = 0;
    const errors: string[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 8000 && (opened < 40 || vanishedNotes === 0)) {
      let s: Awaited<ReturnType<typeof openRecorded>>;
      try {
        s = await openRecorded(dir); // before: a raw "ENOENT: no such file or directory, stat ..." in about 1 open of 12
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      opened++;
      if (s.notes?.some((n) => /vanished while the folder was being read \(rotated or moved away\); skipped\./.test(n))) vanishedNotes++;
    }
    assert.deepEqual(errors.slice(0, 3), [], `${errors.length} opens failed`);
    assert.ok(opened >= 40, `${opened} opens without an error`);
    assert.ok(vanishedNotes > 0, "at least one open saw a file vanish and said so");
  } finally {
    storm.kill("SIGKILL");
  }
});

test("wording: an unsafe zip entry is 'refused', gzip of plain text under a .tar.gz name opens as the log it is", async () => {
  const dir = tempDir();
  const evil = path.join(dir, "evil.zip");
  writeZip(evil, [
    { name: "nodes/n1/logs/system.log", chunk: fs.readFileSync(data("logs", "cassandra30-system.log")) },
    { name: "../../evil.txt", chunk: Buffer.from("owned\n") },
  ]);
  await assert.rejects(openRecorded(evil), (e: Error) => {
    assert.match(e.message, /^open: refused .*evil\.zip: entry "\.\.\/\.\.\/evil\.txt" contains '\.\.' \(path traversal\)\.$/);
    return true;
  });
  const abs = path.join(dir, "abs.zip");
  writeZip(abs, [{ name: "/etc/cron.d/x", chunk: Buffer.from("* * * * * root id\n") }]);
  await assert.rejects(openRecorded(abs), /^CassperfError: open: refused .*abs\.zip: entry "\/etc\/cron\.d\/x" has an absolute path/);
  // gzip of a plain system.log, named like a bundle: not "a truncated or corrupt archive … copy the bundle again".
  const fake = path.join(dir, "diag.tar.gz");
  fs.writeFileSync(fake, zlib.gzipSync(fs.readFileSync(data("logs", "cassandra30-system.log"))));
  const s = await openRecorded(fake);
  assert.equal(s.files()[0].kind, "system-log");
  assert.equal(s.files()[0].compressed, "gz");
  const prose = path.join(dir, "notes.tar.gz");
  fs.writeFileSync(prose, zlib.gzipSync(Buffer.from("we restarted node 3 at noon\n")));
  await assert.rejects(openRecorded(prose), (e: Error) => {
    assert.match(e.message, /notes\.tar\.gz is not a file cassperf recognises/);
    assert.doesNotMatch(e.message + ((e as { hint?: string }).hint ?? ""), /copy the bundle again/);
    return true;
  });
});

test("entries that collide (a file and a folder of one name) are refused in words, never thrown from a stream handler", () => {
  const dir = tempDir();
  const zip = path.join(dir, "clash.zip");
  const log = fs.readFileSync(data("logs", "cassandra30-system.log"));
  writeZip(zip, [
    { name: "b/nodes/n1/logs/system.log", chunk: log },
    { name: "b/nodes/n1/logs/system.log/x", chunk: log },
  ]);
  const tgz = path.join(dir, "clash.tar.gz");
  const stage = path.join(dir, "stage");
  fs.mkdirSync(path.join(stage, "a", "x"), { recursive: true });
  fs.writeFileSync(path.join(stage, "a", "x", "system.log"), log);
  fs.writeFileSync(path.join(stage, "x-file"), log);
  // node-tar writes entries under the names given: "a/x" as a file after "a/x/" as a folder.
  const script = `
    const fs = require("node:fs"); const tar = require("tar");
    const { openRecorded } = require(${SRC} + "/cluster/recorded");
    (async () => {
      const out = {};
      try { await openRecorded(${JSON.stringify(zip)}); out.zip = "opened"; } catch (e) { out.zip = e.name + ": " + e.message; }
      const p = new tar.Pack({ cwd: ${JSON.stringify(stage)}, gzip: true });
      const written = fs.createWriteStream(${JSON.stringify(tgz)});
      p.pipe(written);
      p.add("a/x/system.log");
      const h = new tar.Header({ path: "a/x/system.log/y", mode: 0o644, size: 3, type: "File", mtime: new Date(0) });
      const block = Buffer.alloc(512); h.encode(block, 0);
      p.end();
      // Wait for the file itself to be written and closed, not only for the packer's end (a race seen under load).
      await new Promise((r) => written.on("close", r));
      // Append a second gzip member holding the colliding entry and the end blocks (gzip members concatenate).
      const zlib = require("node:zlib");
      const body = Buffer.alloc(512); body.write("abc");
      const raw = zlib.gunzipSync(fs.readFileSync(${JSON.stringify(tgz)}));
      const trimmed = raw.subarray(0, raw.length - 1024);
      fs.writeFileSync(${JSON.stringify(tgz)}, zlib.gzipSync(Buffer.concat([trimmed, block, body, Buffer.alloc(1024)])));
      try { await openRecorded(${JSON.stringify(tgz)}); out.tgz = "opened"; } catch (e) { out.tgz = e.name + ": " + e.message; }
      console.log(JSON.stringify(out));
    })();`;
  const r = child(script);
  assert.equal(r.status, 0, `no crash: ${r.stderr.slice(-600)}`);
  assert.match(
    r.out.zip,
    /^CassperfError: open: refused .*clash\.zip: entry "b\/nodes\/n1\/logs\/system\.log\/x" collides with another entry of the same name/,
  );
  assert.match(r.out.tgz, /^CassperfError: open: refused .*clash\.tar\.gz: entry "a\/x\/system\.log\/y" collides with another entry of the same name/);
});
