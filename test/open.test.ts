// open(): recorded sources from bundles, datasets, archives and single files, and every bad input
// the spine issue lists, each asserting the message the user sees.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { open, inventory, current, use } from "../src/index";
import { openRecorded } from "../src/cluster/recorded";
import { data, tempDir } from "./support";

const DSE68 = data("diag", "dse68");
const C2117 = data("diag", "cassandra-2.1.17");

function tarGz(srcDir: string, out: string): string {
  execFileSync("tar", ["-czf", out, "-C", path.dirname(srcDir), path.basename(srcDir)]);
  return out;
}

test("open() on the DSE 6.8 bundle finds node 172.17.0.2 and classifies its files", async () => {
  const s = await open(DSE68);
  assert.equal(current(), s);
  assert.deepEqual(s.nodes(), ["172.17.0.2"]);
  const kinds = (k: string) => s.files({ kind: k as any }).map((f) => path.basename(f.rel));
  assert.deepEqual(kinds("system-log"), ["system.log"]);
  assert.deepEqual(kinds("debug-log"), ["debug.log"]);
  assert.deepEqual(kinds("gc-log"), ["gc.log.0.current"]);
  const cmds = s
    .files({ kind: "nodetool" })
    .map((f) => f.command)
    .sort();
  for (const c of ["tablehistograms", "proxyhistograms", "tablestats", "tpstats", "compactionstats", "compactionhistory", "info", "status", "ring"])
    assert.ok(cmds.includes(c), `nodetool ${c} classified`);
  // dsetool/status is not nodetool output even though it looks like it
  assert.ok(!s.files({ kind: "nodetool" }).some((f) => f.rel.includes("dsetool/")));
  assert.equal(s.layout, "bundle");
});

test("open() on the Cassandra 2.1.17 bundle finds its 3 nodes, each with system.log and nodetool files", async () => {
  const s = await openRecorded(C2117);
  assert.deepEqual(s.nodes(), ["10.101.34.191", "10.101.34.223", "10.101.35.67"]);
  for (const n of s.nodes()) {
    assert.equal(s.files({ node: n, kind: "system-log" }).length, 1);
    assert.ok(s.files({ node: n, kind: "nodetool", command: "tablehistograms" }).length === 1);
  }
});

test("the same bundles open from a .tar.gz made here, with the same nodes and files", async () => {
  const dir = tempDir();
  for (const bundle of [DSE68, C2117]) {
    const plain = await openRecorded(bundle);
    const archived = await openRecorded(tarGz(bundle, path.join(dir, path.basename(bundle) + ".tar.gz")));
    assert.equal(archived.archive, "tar.gz");
    assert.deepEqual(archived.nodes(), plain.nodes());
    const summary = (s: typeof plain) =>
      s
        .files()
        .map((f) => `${f.node} ${f.kind} ${f.command ?? ""} ${f.rel.replace(/^[^/]+\//, "")}`)
        .sort();
    assert.deepEqual(summary(archived).length, summary(plain).length);
    assert.deepEqual(
      archived.files({ kind: "gc-log" }).map((f) => f.node),
      plain.files({ kind: "gc-log" }).map((f) => f.node),
    );
  }
});

test("a single gc log, a zipped gc log and a system.log open as one-file sources", async () => {
  const gc = await openRecorded(data("gc", "jdk8-g1-dse68-node.gc.log"));
  assert.equal(gc.files()[0].kind, "gc-log");
  const zipped = await openRecorded(data("gc", "jdk11-g1-details-excerpt.gc.log.zip"));
  assert.equal(zipped.files()[0].kind, "gc-log");
  assert.equal(zipped.files()[0].compressed, "zip");
  assert.match((await zipped.readText(zipped.files()[0])).slice(0, 200), /\[info\]\[gc/);
  const sys = await openRecorded(data("logs", "cassandra311-system.log"));
  assert.equal(sys.files()[0].kind, "system-log");
  const stress = await openRecorded(data("lab", "cassandra-stress-2.1-write.txt"));
  assert.equal(stress.files()[0].kind, "stress-output");
  const hist = await openRecorded(data("lab", "nodetool-2.1-cfhistograms.txt"));
  assert.equal(hist.files()[0].command, "tablehistograms");
});

test("a .gz single file is read through gunzip", async () => {
  const dir = tempDir();
  const gz = path.join(dir, "system.log.1.gz");
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(data("logs", "cassandra21-system.log"))));
  const s = await openRecorded(gz);
  assert.equal(s.files()[0].kind, "system-log");
  assert.match(await s.readText(s.files()[0]), /CassandraDaemon\.java/);
});

test("a missing path: one sentence naming the path and what was expected", async () => {
  await assert.rejects(open("/nonexistent/incident-2024"), (e: Error) => {
    assert.equal(e.name, "CassperfError");
    assert.match(e.message, /^open: \/nonexistent\/incident-2024 does not exist; expected a cassperf dataset folder, a diagnostic bundle/);
    return true;
  });
});

test("an unreadable file: permission denied is named; inside a bundle it is listed as unreadable and the rest opens", async () => {
  // Root reads anything, so as root the check runs in a child process as the unprivileged user
  // nobody (setpriv): the real permission error, not a mock.
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const lone = path.join(dir, "system.log");
  fs.writeFileSync(lone, "INFO  [main] 2019-12-10 18:34:12,503 CassandraDaemon.java:155 - Hostname: x\n");
  fs.chmodSync(lone, 0);
  const bundle = path.join(dir, "bundle", "nodes", "n1", "logs", "cassandra");
  fs.mkdirSync(bundle, { recursive: true });
  for (let d = bundle; d !== dir; d = path.dirname(d)) fs.chmodSync(d, 0o755);
  fs.copyFileSync(data("logs", "cassandra30-system.log"), path.join(bundle, "system.log"));
  fs.chmodSync(path.join(bundle, "system.log"), 0o644);
  fs.writeFileSync(path.join(bundle, "gc.log"), "secret");
  fs.chmodSync(path.join(bundle, "gc.log"), 0);
  const script = `const { openRecorded } = require(${JSON.stringify(path.join(__dirname, "..", "src", "cluster", "recorded"))});
    (async () => {
      const out = {};
      try { await openRecorded(${JSON.stringify(lone)}); out.lone = "opened"; } catch (e) { out.lone = e.message; }
      const s = await openRecorded(${JSON.stringify(path.join(dir, "bundle"))});
      out.bundle = s.files().map((f) => f.rel + " " + f.kind + (f.note ? " (" + f.note + ")" : ""));
      console.log(JSON.stringify(out));
    })();`;
  const asRoot = process.getuid?.() === 0;
  const argv = asRoot
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "--import", "tsx", "-e", script]
    : [process.execPath, "--import", "tsx", "-e", script];
  const out = JSON.parse(
    execFileSync(argv[0], argv.slice(1), { encoding: "utf8", cwd: path.join(__dirname, "..") })
      .trim()
      .split("\n")
      .pop()!,
  );
  assert.equal(
    out.lone,
    `open: ${lone} is not readable (permission denied); expected a cassperf dataset folder, a diagnostic bundle (folder with nodes/<node>/, or a .tar.gz/.zip of one), or a single gc log, system.log, nodetool output, cassandra-stress output or trace export.`,
  );
  assert.deepEqual(out.bundle.sort(), ["nodes/n1/logs/cassandra/gc.log unreadable (permission denied)", "nodes/n1/logs/cassandra/system.log system-log"]);
});

test("an empty folder and a folder with nothing recognisable are refused by name", async () => {
  const empty = tempDir();
  await assert.rejects(openRecorded(empty), new RegExp(`^CassperfError: open: ${empty} is an empty folder; expected`));
  const junk = tempDir();
  fs.writeFileSync(path.join(junk, "notes.md"), "# what happened\n");
  fs.writeFileSync(path.join(junk, "photo.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
  await assert.rejects(openRecorded(junk), (e: Error) => {
    assert.match(e.message, new RegExp(`open: ${junk} holds nothing cassperf recognises \\(2 files, e.g. notes.md, photo.jpg\\)`));
    return true;
  });
});

test("an empty file and a file that is not a log are refused by name", async () => {
  const dir = tempDir();
  const empty = path.join(dir, "gc.log");
  fs.writeFileSync(empty, "");
  await assert.rejects(openRecorded(empty), /open: .*gc\.log is an empty file/);
  const prose = path.join(dir, "notes.txt");
  fs.writeFileSync(prose, "we restarted node 3 at noon\n");
  await assert.rejects(openRecorded(prose), /open: .*notes\.txt is not a file cassperf recognises/);
  const bin = path.join(dir, "blob.bin");
  fs.writeFileSync(bin, Buffer.from([0, 1, 2, 3, 0, 0, 7]));
  await assert.rejects(openRecorded(bin), /open: .*blob\.bin is a binary file, not text/);
});

test("a truncated archive: a clear error, and nothing half-extracted left behind", async () => {
  const dir = tempDir();
  const whole = tarGz(DSE68, path.join(dir, "dse68.tar.gz"));
  const cut = path.join(dir, "cut.tar.gz");
  const bytes = fs.readFileSync(whole);
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const os = await import("node:os");
  const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("cassperf-open-")).length;
  await assert.rejects(openRecorded(cut), /open: .*cut\.tar\.gz is a truncated or corrupt archive/);
  const after = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("cassperf-open-")).length;
  assert.equal(after, before, "the temporary extraction folder was removed");
  const zipCut = path.join(dir, "cut.zip");
  execFileSync("sh", ["-c", `cd ${JSON.stringify(path.dirname(DSE68))} && zip -qr ${JSON.stringify(path.join(dir, "whole.zip"))} dse68`]);
  const zbytes = fs.readFileSync(path.join(dir, "whole.zip"));
  fs.writeFileSync(zipCut, zbytes.subarray(0, Math.floor(zbytes.length * 0.6)));
  await assert.rejects(openRecorded(zipCut), /open: .*cut\.zip is a truncated or corrupt zip archive/);
});

test("archive entries with '..' or absolute paths, and links pointing outside, are refused", async () => {
  const dir = tempDir();
  // '..' entry: build the tar by hand with node-tar's low-level Pack, which keeps the path as given.
  const tar = require("tar") as typeof import("tar");
  const stage = path.join(dir, "stage");
  fs.mkdirSync(path.join(stage, "nodes", "n1", "logs"), { recursive: true });
  fs.writeFileSync(path.join(stage, "nodes", "n1", "logs", "system.log"), fs.readFileSync(data("logs", "cassandra21-system.log")));
  fs.writeFileSync(path.join(dir, "evil.txt"), "owned\n");
  const traversal = path.join(dir, "traversal.tar");
  await tar.c({ file: traversal, cwd: stage, preservePaths: true }, ["nodes", "../evil.txt"]);
  await assert.rejects(openRecorded(traversal), /refused .*traversal\.tar: entry "\.\.\/evil\.txt" contains '\.\.' \(path traversal\)/);
  assert.ok(!fs.existsSync(path.join(path.dirname(os_tmp()), "evil.txt")));

  const absolute = path.join(dir, "absolute.tar");
  await tar.c({ file: absolute, cwd: stage, preservePaths: true }, ["nodes", path.join(dir, "evil.txt")]);
  await assert.rejects(openRecorded(absolute), /refused .*absolute\.tar: entry "\/.*evil\.txt" has an absolute path/);

  fs.symlinkSync("/etc/passwd", path.join(stage, "nodes", "n1", "logs", "debug.log"));
  const linked = path.join(dir, "linked.tar.gz");
  await tar.c({ file: linked, gzip: true, cwd: stage }, ["nodes"]);
  await assert.rejects(openRecorded(linked), /refused .*linked\.tar\.gz: entry "nodes\/n1\/logs\/debug\.log" is a link \(to "\/etc\/passwd"\)/);

  // A symlink inside a folder pointing outside it is not followed.
  const s = await openRecorded(stage);
  assert.deepEqual(
    s.files().map((f) => f.rel),
    ["nodes/n1/logs/system.log"],
  );
});

function os_tmp(): string {
  return require("node:os").tmpdir() + "/x";
}

test("a decompression bomb is refused past the stated limit", async () => {
  const dir = tempDir();
  const stage = path.join(dir, "bomb");
  fs.mkdirSync(path.join(stage, "nodes", "n1"), { recursive: true });
  // 64 MiB of zeros compresses to ~64 KiB: a 1000:1 bomb.
  fs.writeFileSync(path.join(stage, "nodes", "n1", "system.log"), Buffer.alloc(64 * 2 ** 20));
  const bomb = tarGz(stage, path.join(dir, "bomb.tar.gz"));
  assert.ok(fs.statSync(bomb).size < 2 ** 20);
  await assert.rejects(openRecorded(bomb, { maxExtractBytes: 16 * 2 ** 20 }), /refused .*bomb\.tar\.gz: it would unpack to more than 16\.0 MiB/);
  execFileSync("sh", ["-c", `cd ${JSON.stringify(dir)} && zip -qr bomb.zip bomb`]);
  await assert.rejects(
    openRecorded(path.join(dir, "bomb.zip"), { maxExtractBytes: 16 * 2 ** 20 }),
    /refused .*bomb\.zip: it would unpack to more than 16\.0 MiB/,
  );
});

test("a binary file among the logs is skipped, listed as unreadable in inventory(), and the rest opens", async () => {
  const dir = tempDir();
  const node = path.join(dir, "nodes", "10.0.0.1", "logs", "cassandra");
  fs.mkdirSync(node, { recursive: true });
  fs.copyFileSync(data("logs", "cassandra30-system.log"), path.join(node, "system.log"));
  fs.writeFileSync(path.join(node, "gc.log.2"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
  const s = await openRecorded(dir);
  const bad = s.files({ kind: "unreadable" });
  assert.equal(bad.length, 1);
  assert.equal(bad[0].rel, "nodes/10.0.0.1/logs/cassandra/gc.log.2");
  const inv = await inventory(s);
  assert.equal(inv.summary.unreadable, 1);
  const f = inv.findings.find((x) => x.id === "inventory.unreadable-file");
  assert.ok(f, "a finding names the unreadable file");
  assert.match(f!.title, /nodes\/10\.0\.0\.1\/logs\/cassandra\/gc\.log\.2 could not be read and was skipped/);
  assert.equal(s.files({ kind: "system-log" }).length, 1);
});

test("use() and current(): helpers act on the most recent source", async () => {
  const a = await open(DSE68);
  const b = await open(C2117);
  assert.equal(current(), b);
  use(a);
  assert.equal(current(), a);
  assert.throws(() => use({} as any), /use: expected a source returned by connect\(\) or open\(\)/);
});

test("every source has the helpers as methods, acting on that source without changing the current one", async () => {
  const lab21 = await openRecorded(data("lab"));
  const dse = await open(DSE68);
  assert.equal(current(), dse);
  const inv = await lab21.inventory();
  assert.equal(inv.summary.nodes, 4, "the lab folder's nodes, not the current source's");
  const gc = await lab21.gcStats();
  assert.deepEqual([...new Set(gc.rows("pauses").map((p) => p.node))].sort(), ["node1", "node2", "node3"]);
  assert.equal(current(), dse, "the current source is unchanged");
  const top = await inventory();
  assert.equal(top.summary.nodes, 1, "top-level helpers still act on the current source");
});
