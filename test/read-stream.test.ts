/**
 * Streaming reads (src/cluster/read-stream.ts): a file read as blocks of whole lines must give back
 * exactly the file's text — the expected value is node's own whole-file read of the same bytes
 * (fs.readFileSync / zlib.gunzipSync), independent of the code under test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { lineBlocks, readChunks, readLineBlocks } from "../src/cluster/read-stream";
import { logFixtureFiles, tempDir } from "./support";

const GC_DIR = path.join(__dirname, "fixtures", "gc");

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) out.push(b);
  return out;
}

test("a real GC log read in blocks gives its exact text; every block but the last ends a line", async () => {
  const files = fs
    .readdirSync(GC_DIR)
    .filter((f) => !f.endsWith(".md"))
    .slice(0, 20);
  assert.ok(files.length > 0);
  for (const f of files) {
    const file = path.join(GC_DIR, f);
    const expected = f.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(file)).toString("utf8") : fs.readFileSync(file, "utf8");
    const blocks = await collect(readLineBlocks(file, f.endsWith(".gz") ? "gz" : undefined));
    assert.equal(blocks.join(""), expected, f);
    // Small blocks: every block boundary falls just after a line break.
    async function* bytes() {
      const buf = Buffer.from(expected, "utf8");
      for (let i = 0; i < buf.length; i += 777) yield buf.subarray(i, i + 777);
    }
    const small = await collect(lineBlocks(bytes(), 1000));
    assert.equal(small.join(""), expected, f);
    for (const b of small.slice(0, -1)) assert.ok(b.endsWith("\n"), `${f}: a block ends mid-line`);
  }
});

test("gzip: the unpacked text; a truncated gzip is refused naming the file", async () => {
  const dir = tempDir();
  const text = "INFO  [main] 2026-01-01 00:00:00,000 first line é\nsecond line\n".repeat(5000);
  fs.writeFileSync(path.join(dir, "system.log.gz"), zlib.gzipSync(text));
  assert.equal((await collect(readLineBlocks(path.join(dir, "system.log.gz"), "gz"))).join(""), text);
  fs.writeFileSync(path.join(dir, "cut.gz"), zlib.gzipSync(text).subarray(0, 200));
  await assert.rejects(collect(readLineBlocks(path.join(dir, "cut.gz"), "gz")), /cut\.gz is a truncated or corrupt gzip file/);
});

test("a multi-byte character split between chunks stays whole", async () => {
  async function* chunks() {
    yield Buffer.from([0x61, 0xc3]); // "a" and the first byte of "é"
    yield Buffer.from([0xa9, 0x0a, 0x62]); // the second byte, "\n", "b"
  }
  assert.deepEqual(await collect(lineBlocks(chunks(), 2)), ["aé\n", "b"]);
});

test("maxBytes refuses a file past the limit; an aborted signal stops the read with its reason", async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "debug.log"), "x\n".repeat(100));
  await assert.rejects(collect(readLineBlocks(path.join(dir, "debug.log"), undefined, { maxBytes: 10 })), /debug\.log is 200 bytes, past the limit/);
  const ac = new AbortController();
  ac.abort(new Error("stopped by the user"));
  await assert.rejects(collect(readLineBlocks(path.join(dir, "debug.log"), undefined, { signal: ac.signal })), /stopped by the user/);
});

test("a named pipe is refused, never read", async () => {
  const dir = tempDir();
  const fifo = path.join(dir, "pipe.log");
  require("node:child_process").execFileSync("mkfifo", [fifo]);
  await assert.rejects(collect(readLineBlocks(fifo)), /named pipe/);
});

test("a plain file's blocks (one reused read buffer) are the blocks lineBlocks cuts from readChunks' stream, ranges and a line past a block too", async () => {
  // Expected: the stream path (readChunks through lineBlocks, the reader plain files used before) on the same file, and
  // node's own fs.readFileSync for the text. Files: every log fixture, plus a generated one with a 3 MiB line and a non-ASCII
  // character on each side of a block boundary.
  const dir = tempDir();
  const long = path.join(dir, "long.log");
  const line = (i: number) => `INFO  [main] 2020-01-01 00:00:00,000  X.java:1 - line ${i} é ${"x".repeat(i % 500)}\n`;
  let text = "";
  for (let i = 0; i < 9000; i++) text += line(i);
  text += "y".repeat(3 << 20) + "\n" + text + "no final line break ü";
  fs.writeFileSync(long, text, "utf8");
  const files = [...logFixtureFiles(path.join(__dirname, "fixtures")).slice(0, 40), long];
  for (const file of files) {
    const expected = await collect(lineBlocks(readChunks(file)));
    const blocks = await collect(readLineBlocks(file));
    assert.deepEqual(blocks, expected, file);
    assert.equal(blocks.join(""), fs.readFileSync(file, "utf8"), file);
  }
  const size = fs.statSync(long).size;
  for (const range of [
    { start: 0, end: 10 },
    { start: 5000, end: 2_500_000 },
    { start: 1_000_000, end: size },
  ]) {
    const expected = await collect(lineBlocks(readChunks(long, undefined, { range })));
    assert.deepEqual(await collect(readLineBlocks(long, undefined, { range })), expected, JSON.stringify(range));
    assert.equal(expected.join(""), fs.readFileSync(long).subarray(range.start, range.end).toString("utf8"));
  }
});
