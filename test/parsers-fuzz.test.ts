/**
 * Fuzz (fast-check): every non-GC parser in src/parse, fed real files (test/fixtures/data, the
 * fixtures, the bundled dataset; see their README/PROVENANCE for origins) mutated the ways files
 * get damaged — truncated, lines swapped, a range duplicated or reversed or dropped, bytes flipped
 * (control characters, separators, digits, non-ASCII), CRLF line ends, a UTF-8 BOM, two files
 * spliced — never throws anything but a CassperfError. (The GC parsers have their own property
 * test: test/gc-property.test.ts.)
 *
 * Deterministic: a fixed seed (FUZZ_SEED overrides it); on failure fast-check prints the seed, the
 * path and the shrunk counterexample, so `FUZZ_SEED=<seed>` replays it.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { data, ROOT } from "./support";
import { isCassperfError } from "../src/errors";
import { parseStress } from "../src/parse/cassandra-stress";
import { parseJmxScraper } from "../src/parse/jmx-scraper";
import { compileLayout, detectLayout, patternFromLogbackXml } from "../src/parse/log-layout";
import { parseClientstats } from "../src/parse/nodetool-clientstats";
import { parseCompactionstats } from "../src/parse/nodetool-compactionstats";
import { parseNodetoolGcstats } from "../src/parse/nodetool-gcstats";
import { parseInfo } from "../src/parse/nodetool-info";
import { parseProxyhistograms } from "../src/parse/nodetool-proxyhistograms";
import { parseTablehistograms } from "../src/parse/nodetool-tablehistograms";
import { parseTablestats } from "../src/parse/nodetool-tablestats";
import { parseTpstats } from "../src/parse/nodetool-tpstats";
import { parseSchemaCql } from "../src/parse/schema-cql";
import { parseSystemLog } from "../src/parse/system-log";
import { parseCqlshTrace } from "../src/parse/trace-cqlsh";
import { parseTraceEventsCsv, parseTraceSessionsCsv } from "../src/parse/trace-csv";
import { parseEventsJsonl, parseSessionsJsonl } from "../src/parse/trace-rows";

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/** The first `max` characters of a file, cut at a line end (parsing megabytes per run would be slow). */
function head(file: string, max = 16_000): string {
  const text = fs.readFileSync(file, "utf8");
  if (text.length <= max) return text;
  return text.slice(0, text.lastIndexOf("\n", max) + 1);
}

const LAB = (f: string) => data("lab", f);
const DSE = (...p: string[]) => data("diag", "dse68", "nodes", "172.17.0.2", ...p);
const C21 = (...p: string[]) => data("diag", "cassandra-2.1.17", "nodes", "10.101.34.191", ...p);
const TRACES = path.join(__dirname, "fixtures", "trace", "lab21", "traces");

/** `nodetool gcstats` as Cassandra 4.x's GcStats.java prints it (header and one row; there is no real capture in the data). */
const GCSTATS =
  "       Interval (ms) Max GC Elapsed (ms)Total GC Elapsed (ms)Stdev GC Elapsed (ms)   GC Reclaimed (MB)         Collections      Direct Memory Bytes\n            28242198                 144                 395                   9          5157984472                   3                       -1\n";

/** `nodetool clientstats --all` laid out as ClientStats.java's TableBuilder does (no real capture in the data). */
const CLIENTSTATS = [
  "Address             SSL   Cipher    Protocol  Version User      Keyspace Requests Driver-Name                                  Driver-Version",
  "/10.0.0.5:50412     false undefined undefined 5       anonymous shop     1203     DataStax Java driver for Apache Cassandra(R) 4.17.0",
  "/10.0.0.6:50413     false undefined undefined 4       anonymous          12       DataStax Python Driver                       3.25.0",
  "",
  "Total connected clients: 2",
  "",
  "User      Connections",
  "anonymous 2",
  "",
].join("\n");

/** cqlsh TRACING ON output rendered from the real 2.1 trace rows of the fixture (as test/trace.test.ts does). */
function cqlshFromFixture(): string {
  const sessions = parseSessionsJsonl(fs.readFileSync(path.join(TRACES, "sessions.jsonl"), "utf8")).rows.slice(0, 2);
  const events = parseEventsJsonl(fs.readFileSync(path.join(TRACES, "events.jsonl"), "utf8")).rows;
  const ts = (iso: string) => iso.replace("T", " ").replace("Z", "").padEnd(26, "0");
  return sessions
    .map((s) => {
      const rows = [
        ["Execute CQL3 query", ts(s.started_at), s.coordinator, "0"],
        ...events
          .filter((e) => e.session_id === s.session_id)
          .map((e) => [`${e.activity} [${e.thread}]`, ts(e.event_time), e.source, String(e.source_elapsed ?? "null")]),
        ["Request complete", ts(s.started_at), s.coordinator, String(s.duration)],
      ];
      return [
        `Tracing session: ${s.session_id}`,
        "",
        " activity | timestamp | source | source_elapsed",
        "-----------+-----------+--------+---------------",
        ...rows.map((r) => ` ${r.join(" | ")}`),
        "",
      ].join("\n");
    })
    .join("\n");
}

/** Each parser with the real texts it reads. */
const TARGETS: { name: string; inputs: () => string[]; parse: (text: string) => unknown }[] = [
  {
    name: "system.log",
    inputs: () => [
      head(data("logs", "cassandra21-system.log")),
      head(data("logs", "cassandra311-system.log")),
      head(data("logs", "statuslogger-new-dialect.log")),
    ],
    parse: (t) => parseSystemLog(t, { node: "n1", file: "system.log" }),
  },
  {
    name: "debug.log (StatusLogger)",
    inputs: () => [head(data("logs", "dse68-statuslogger-debug.log"))],
    parse: (t) => parseSystemLog(t, { node: "n1", file: "debug.log" }),
  },
  { name: "log layout detection", inputs: () => [head(data("logs", "cassandra30-system.log"), 4000)], parse: (t) => detectLayout(t) },
  {
    name: "logback.xml pattern",
    inputs: () => [head(DSE("conf", "cassandra", "logback.xml")), head(C21("conf", "cassandra", "logback.xml"))],
    parse: (t) => {
      const p = patternFromLogbackXml(t, "system.log");
      return p === undefined ? undefined : compileLayout(p);
    },
  },
  { name: "nodetool tpstats", inputs: () => [head(LAB("nodetool-2.1-tpstats.txt")), head(DSE("nodetool", "tpstats"))], parse: (t) => parseTpstats(t) },
  {
    name: "nodetool tablestats/cfstats",
    inputs: () => [head(LAB("nodetool-2.1-cfstats.txt")), head(DSE("nodetool", "cfstats"))],
    parse: (t) => parseTablestats(t),
  },
  {
    name: "nodetool tablehistograms/cfhistograms",
    inputs: () => [head(LAB("nodetool-2.1-cfhistograms.txt")), head(DSE("nodetool", "cfhistograms")), head(C21("nodetool", "cfhistograms"))],
    parse: (t) => parseTablehistograms(t),
  },
  {
    name: "nodetool proxyhistograms",
    inputs: () => [head(LAB("nodetool-2.1-proxyhistograms.txt")), head(DSE("nodetool", "proxyhistograms"))],
    parse: (t) => parseProxyhistograms(t),
  },
  {
    name: "nodetool compactionstats",
    inputs: () => [head(LAB("nodetool-2.1-compactionstats.txt")), head(C21("nodetool", "compactionstats"))],
    parse: (t) => parseCompactionstats(t),
  },
  { name: "nodetool info", inputs: () => [head(LAB("nodetool-2.1-info.txt")), head(DSE("nodetool", "info"))], parse: (t) => parseInfo(t) },
  { name: "nodetool gcstats", inputs: () => [GCSTATS], parse: (t) => parseNodetoolGcstats(t) },
  { name: "nodetool clientstats", inputs: () => [CLIENTSTATS], parse: (t) => parseClientstats(t) },
  { name: "JmxScraper dump", inputs: () => [head(data("jmx", "montecristo-metrics.jmx"), 24_000)], parse: (t) => parseJmxScraper(t) },
  {
    name: "cassandra-stress output",
    inputs: () => [head(LAB("cassandra-stress-2.1-write.txt")), head(LAB("cassandra-stress-2.1-mixed.txt"))],
    parse: (t) => parseStress(t),
  },
  { name: "trace events.jsonl", inputs: () => [head(path.join(TRACES, "events.jsonl"))], parse: (t) => parseEventsJsonl(t) },
  { name: "trace sessions.jsonl", inputs: () => [head(path.join(TRACES, "sessions.jsonl"))], parse: (t) => parseSessionsJsonl(t) },
  { name: "cqlsh TRACING ON text", inputs: () => [cqlshFromFixture()], parse: (t) => parseCqlshTrace(t) },
  { name: "COPY system_traces.events CSV", inputs: () => [eventsCsv()], parse: (t) => parseTraceEventsCsv(t) },
  { name: "COPY system_traces.sessions CSV", inputs: () => [sessionsCsv()], parse: (t) => parseTraceSessionsCsv(t) },
  {
    name: "schema.cql",
    inputs: () => [head(path.join(ROOT, "datasets", "lab-3node", "schema.cql")), head(DSE("driver", "schema"))],
    parse: (t) => parseSchemaCql(t),
  },
];

/** The fixture's events as `COPY system_traces.events TO ... WITH HEADER = true` writes them. */
function eventsCsv(): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const ev = parseEventsJsonl(fs.readFileSync(path.join(TRACES, "events.jsonl"), "utf8")).rows.slice(0, 80);
  return (
    [
      "session_id,event_id,activity,source,source_elapsed,thread",
      ...ev.map((e) => [e.session_id, e.event_id, q(e.activity), e.source, e.source_elapsed ?? "", q(e.thread)].join(",")),
    ].join("\n") + "\n"
  );
}

/** The fixture's sessions as `COPY system_traces.sessions TO ... WITH HEADER = true` writes them. */
function sessionsCsv(): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const ss = parseSessionsJsonl(fs.readFileSync(path.join(TRACES, "sessions.jsonl"), "utf8")).rows;
  const map = (p: Record<string, string>) =>
    `{${Object.entries(p)
      .map(([k, v]) => `'${k}': '${v.replace(/'/g, "''")}'`)
      .join(", ")}}`;
  return (
    [
      "session_id,client,command,coordinator,duration,parameters,request,started_at",
      ...ss.map((s) => [s.session_id, s.client ?? "", s.command, s.coordinator, s.duration ?? "", q(map(s.parameters)), q(s.request), s.started_at].join(",")),
    ].join("\n") + "\n"
  );
}

type Mutation =
  | { op: "truncate"; at: number }
  | { op: "swap"; a: number; b: number }
  | { op: "duplicate"; at: number; len: number }
  | { op: "reverse"; at: number; len: number }
  | { op: "drop"; at: number; len: number }
  | { op: "flip"; at: number; ch: string }
  | { op: "crlf" }
  | { op: "bom" }
  | { op: "splice"; other: number; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("reverse" as const), at: fc.nat(), len: fc.integer({ min: 2, max: 40 }) }),
  fc.record({ op: fc.constant("drop" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    op: fc.constant("flip" as const),
    at: fc.nat(),
    ch: fc.constantFrom(
      "\u0000",
      "\u00ff",
      "é",
      "|",
      ",",
      ":",
      "[",
      "]",
      "{",
      "}",
      "(",
      ")",
      '"',
      "'",
      "9",
      "-",
      ".",
      " ",
      "\t",
      "\n",
      "\r",
      "NaN",
      "1e999",
      "-1",
    ),
  }),
  fc.record({ op: fc.constant("crlf" as const) }),
  fc.record({ op: fc.constant("bom" as const) }),
  fc.record({ op: fc.constant("splice" as const), other: fc.nat(), at: fc.nat() }),
);

/** Apply mutations to a text; `others` are the other targets' texts, for splices. */
function mutate(text: string, muts: Mutation[], others: string[]): string {
  let lines = text.split("\n");
  let t = text;
  for (const m of muts) {
    t = lines.join("\n");
    const n = lines.length || 1;
    switch (m.op) {
      case "truncate":
        t = t.slice(0, m.at % (t.length + 1));
        lines = t.split("\n");
        break;
      case "swap": {
        const a = m.a % n,
          b = m.b % n;
        [lines[a], lines[b]] = [lines[b], lines[a]];
        break;
      }
      case "duplicate": {
        const a = m.at % n;
        lines.splice(a, 0, ...lines.slice(a, a + m.len));
        break;
      }
      case "reverse": {
        const a = m.at % n;
        lines.splice(a, m.len, ...lines.slice(a, a + m.len).reverse());
        break;
      }
      case "drop":
        lines.splice(m.at % n, m.len);
        break;
      case "flip": {
        const at = m.at % (t.length || 1);
        t = t.slice(0, at) + m.ch + t.slice(at + 1);
        lines = t.split("\n");
        break;
      }
      case "crlf":
        lines = lines.map((l) => l + "\r");
        break;
      case "bom":
        lines[0] = "\ufeff" + (lines[0] ?? "");
        break;
      case "splice": {
        const other = others[m.other % others.length].split("\n").slice(0, 30);
        lines.splice(m.at % n, 0, ...other);
        break;
      }
    }
  }
  return lines.join("\n");
}

const ALL_TEXTS = TARGETS.flatMap((t) => t.inputs().map((x) => x.slice(0, 3000)));

for (const target of TARGETS) {
  test(`fuzz: ${target.name} throws nothing but a CassperfError on mutated real input`, () => {
    const inputs = target.inputs();
    assert.ok(
      inputs.every((t) => t.length > 0),
      "every input file was read",
    );
    // The unmutated files parse without any throw.
    for (const text of inputs) target.parse(text);
    fc.assert(
      fc.property(fc.nat(inputs.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
        const text = mutate(inputs[which], muts, ALL_TEXTS);
        try {
          target.parse(text);
        } catch (e) {
          if (!isCassperfError(e)) throw e;
        }
      }),
      { seed: SEED, numRuns: RUNS, verbose: 1 },
    );
  });
}
