/**
 * Property-based: real GC logs and system.logs, mutated (lines cut, dropped, duplicated, swapped,
 * garbage inserted, bytes flipped, two files spliced), never make a parser or gcStats() throw,
 * and every line a parser could not read is counted in `skipped` (with the first one's line number).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { data, tempDir } from "./support";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { parseGcLog, parseGcInspector, parseJdk8Gc, parseUnifiedGc } from "../src/parse/gc-log";
import { CassperfError } from "../src/errors";

/** A few hundred real lines from each dialect (enough structure, fast to mutate). */
function sample(file: string, from: number, count: number): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .slice(from, from + count);
}
const CORPUS: { name: string; lines: string[] }[] = [
  { name: "jdk8-g1-dse68", lines: sample(data("gc", "jdk8-g1-dse68-node.gc.log"), 58900, 300) },
  { name: "jdk8-cms", lines: sample(data("gc", "jdk8-cms-cassandra-bob.gc.log"), 26700, 300) },
  { name: "jdk8-gcspike", lines: sample(data("gc", "jdk8-g1-gcspike.gc.log"), 680, 300) },
  { name: "unified-cassandra4", lines: sample(data("gc", "jdk17-g1-cassandra4-default-options.gc.log"), 1800, 300) },
  { name: "unified-gcstar", lines: sample(data("gc", "jdk17-g1-gcstar-safepoint.gc.log"), 0, 300) },
  { name: "unified-gen-zgc", lines: sample(data("gc", "jdk22-generational-zgc.gc.log"), 20, 300) },
  { name: "unified-shenandoah", lines: sample(data("gc", "jdk17-shenandoah.gc.log"), 30, 300) },
  { name: "system.log", lines: sample(data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log"), 700, 60) },
];

type Mutation =
  | { op: "cut"; at: number; keep: number }
  | { op: "drop"; at: number }
  | { op: "dup"; at: number }
  | { op: "swap"; a: number; b: number }
  | { op: "garbage"; at: number; text: string }
  | { op: "flip"; at: number; col: number; ch: string }
  | { op: "truncate-file"; keep: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("cut" as const), at: fc.nat(), keep: fc.nat(120) }),
  fc.record({ op: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("dup" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("garbage" as const), at: fc.nat(), text: fc.string({ maxLength: 80 }) }),
  fc.record({
    op: fc.constant("flip" as const),
    at: fc.nat(),
    col: fc.nat(200),
    ch: fc.constantFrom("[", "]", "(", ")", ":", " ", "-", ">", "9", "\u0000", "é"),
  }),
  fc.record({ op: fc.constant("truncate-file" as const), keep: fc.nat() }),
);

function apply(lines: string[], muts: Mutation[]): string[] {
  const out = lines.slice();
  for (const m of muts) {
    if (!out.length) break;
    const i = (k: number) => k % out.length;
    switch (m.op) {
      case "cut":
        out[i(m.at)] = out[i(m.at)].slice(0, m.keep);
        break;
      case "drop":
        out.splice(i(m.at), 1);
        break;
      case "dup":
        out.splice(i(m.at), 0, out[i(m.at)]);
        break;
      case "swap": {
        const a = i(m.a),
          b = i(m.b);
        [out[a], out[b]] = [out[b], out[a]];
        break;
      }
      case "garbage":
        out.splice(i(m.at), 0, m.text.replace(/\n/g, " "));
        break;
      case "flip": {
        const l = out[i(m.at)];
        const c = l.length ? m.col % l.length : 0;
        out[i(m.at)] = l.slice(0, c) + m.ch + l.slice(c + 1);
        break;
      }
      case "truncate-file": {
        const text = out.join("\n");
        const cut = text.slice(0, m.keep % (text.length + 1));
        out.length = 0;
        out.push(...cut.split("\n"));
        break;
      }
    }
  }
  return out;
}

test("parsers never throw on mutated real logs; skipped lines are counted with a first example", () => {
  fc.assert(
    fc.property(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 12 }), fc.boolean(), (c, muts, splice) => {
      let lines = apply(c.lines, muts);
      if (splice) lines = lines.concat(CORPUS[(c.name.length * 7) % CORPUS.length].lines.slice(0, 40));
      const text = lines.join("\n");
      for (const parse of [parseGcLog, parseUnifiedGc, parseJdk8Gc, parseGcInspector]) {
        const r = parse(text);
        assert.ok(Number.isInteger(r.skipped.count) && r.skipped.count >= 0);
        assert.equal(r.skipped.count > 0, r.skipped.first !== undefined);
        if (r.skipped.first) assert.ok(r.skipped.first.line >= 1 && r.skipped.first.line <= lines.length);
        for (const p of r.pauses) assert.ok(Number.isFinite(p.pause_ms), `${c.name}: pause_ms ${p.pause_ms}`);
      }
    }),
    { numRuns: 200, seed: 20261125 },
  );
});

test("a garbage line inside a real log is skipped and reported with its line number", () => {
  fc.assert(
    fc.property(fc.constantFrom(...CORPUS.filter((c) => c.name.startsWith("unified"))), fc.nat(), fc.stringMatching(/^[a-z][a-z ]{3,40}$/), (c, at, junk) => {
      const lines = c.lines.slice();
      const k = at % lines.length;
      lines.splice(k, 0, junk);
      const r = parseGcLog(lines.join("\n"));
      assert.equal(r.skipped.count, 1);
      assert.equal(r.skipped.first!.line, k + 1);
      assert.equal(r.skipped.first!.text, junk);
    }),
    { numRuns: 100, seed: 7 },
  );
});

test("gcStats() on mutated files never throws and reports skipped lines in notes", async () => {
  const dir = tempDir();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...CORPUS.filter((c) => c.name !== "system.log")), fc.array(mutation, { minLength: 1, maxLength: 8 }), async (c, muts) => {
      const text = apply(c.lines, muts).join("\n");
      const file = path.join(dir, "gc.log");
      fs.writeFileSync(file, text);
      let r: Awaited<ReturnType<typeof gcStats>>;
      try {
        r = await gcStats(file);
      } catch (e) {
        // Only the "no usable evidence" error is allowed, and it must name the file.
        assert.match((e as Error).message, /gc\.log/);
        return;
      }
      const skipped = r.summary.skipped_lines as number;
      if (skipped > 0)
        assert.ok(
          r.notes.some((n) => /skipped \d+ lines? .*first at line \d+/.test(n)),
          r.notes.join("\n"),
        );
    }),
    { numRuns: 60, seed: 99 },
  );
});

// ---------------------------------------------------------------------------------------------
// Issue 23: a fuzz test over mutated real GC logs from test/fixtures/gc (GCViewer, garbagecat):
// truncation, line swaps, duplicated and reversed ranges, byte flips, CRLF and a BOM. No parser
// and no gcStats() call may throw anything but a CassperfError; every pause stays finite.

const FIXTURES = path.join(__dirname, "fixtures", "gc");
const FIXTURE_TEXTS = fs
  .readdirSync(FIXTURES)
  .filter((f) => f !== "PROVENANCE.md")
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(FIXTURES, f), "utf8") }));

type Fuzz =
  | { op: "truncate"; at: number }
  | { op: "swap"; a: number; b: number }
  | { op: "dup-range"; from: number; len: number; to: number }
  | { op: "reverse-range"; from: number; len: number }
  | { op: "flip"; at: number; byte: number }
  | { op: "crlf" }
  | { op: "bom" };

const fuzz: fc.Arbitrary<Fuzz> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("dup-range" as const), from: fc.nat(), len: fc.integer({ min: 1, max: 40 }), to: fc.nat() }),
  fc.record({ op: fc.constant("reverse-range" as const), from: fc.nat(), len: fc.integer({ min: 2, max: 40 }) }),
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant("crlf" as const) }),
  fc.record({ op: fc.constant("bom" as const) }),
);

function mutate(text: string, ops: Fuzz[]): string {
  let t = text;
  for (const m of ops) {
    const lines = t.split("\n");
    const i = (k: number) => (lines.length ? k % lines.length : 0);
    switch (m.op) {
      case "truncate":
        t = t.slice(0, m.at % (t.length + 1));
        break;
      case "swap": {
        const a = i(m.a),
          b = i(m.b);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        t = lines.join("\n");
        break;
      }
      case "dup-range": {
        const f = i(m.from);
        lines.splice(i(m.to), 0, ...lines.slice(f, f + m.len));
        t = lines.join("\n");
        break;
      }
      case "reverse-range": {
        const f = i(m.from);
        const part = lines.slice(f, f + m.len).reverse();
        lines.splice(f, part.length, ...part);
        t = lines.join("\n");
        break;
      }
      case "flip": {
        // A byte flip on the UTF-8 bytes (may make invalid UTF-8, decoded with replacement characters as a file read would be).
        const buf = Buffer.from(t, "utf8");
        if (buf.length) buf[m.at % buf.length] ^= m.byte || 1;
        t = buf.toString("utf8");
        break;
      }
      case "crlf":
        t = t.replace(/\r?\n/g, "\r\n");
        break;
      case "bom":
        t = t.startsWith("\uFEFF") ? t : "\uFEFF" + t;
        break;
    }
  }
  return t;
}

test("fuzz: parsers over mutated fixture logs never throw; pauses stay finite and skipped lines are numbered", () => {
  fc.assert(
    fc.property(fc.constantFrom(...FIXTURE_TEXTS), fc.array(fuzz, { minLength: 1, maxLength: 8 }), (f, ops) => {
      const text = mutate(f.text, ops);
      const lineCount = text.split("\n").length;
      for (const parse of [parseGcLog, parseUnifiedGc, parseJdk8Gc, parseGcInspector]) {
        let r: ReturnType<typeof parse>;
        try {
          r = parse(text);
        } catch (e) {
          assert.ok(e instanceof CassperfError, `${f.name}: ${parse.name} threw ${(e as Error).stack}`);
          continue;
        }
        for (const p of r.pauses) assert.ok(Number.isFinite(p.pause_ms) && p.pause_ms >= 0, `${f.name}: pause_ms ${p.pause_ms}`);
        if (r.skipped.first)
          assert.ok(r.skipped.first.line >= 1 && r.skipped.first.line <= lineCount, `${f.name}: skipped line ${r.skipped.first.line} of ${lineCount}`);
      }
    }),
    { numRuns: 400, seed: 2312 },
  );
});

test("fuzz: gcStats() over mutated fixture logs throws nothing but a CassperfError naming the file", async () => {
  const dir = tempDir();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...FIXTURE_TEXTS), fc.array(fuzz, { minLength: 1, maxLength: 6 }), async (f, ops) => {
      const file = path.join(dir, "fuzzed.txt");
      fs.writeFileSync(file, mutate(f.text, ops));
      try {
        const r = await gcStats(file);
        for (const p of r.rows("pauses")) assert.ok(Number.isFinite(Number(p.pause_ms)));
      } catch (e) {
        assert.ok(e instanceof CassperfError, `${f.name}: gcStats threw ${(e as Error).stack}`);
        assert.match((e as Error).message, /fuzzed\.txt/);
      }
    }),
    { numRuns: 80, seed: 2313 },
  );
});
