/**
 * File classification: which kind of evidence a file is, from its name and, when the name is not
 * enough, from its first bytes.
 *
 * Two rule tables, read top to bottom, first match wins:
 *  - NAME_RULES look at the path relative to the node (or the source root), as bundles name things
 *    (sperf, OpsCenter, ds-collector and cassperf datasets all keep Cassandra's own file names);
 *  - CONTENT_RULES look at the first 64 KiB, for single files and loose folders whose names say
 *    nothing (`node1.txt`, `incident.log`).
 */
import type { FileKind } from "./source";

/** nodetool commands whose old and new names mean the same output. */
export const NODETOOL_ALIASES: Record<string, string> = {
  cfhistograms: "tablehistograms",
  cfstats: "tablestats",
};

/** nodetool commands we recognise by file name (after the aliases above). */
export const NODETOOL_COMMANDS = new Set([
  "tablehistograms",
  "proxyhistograms",
  "tablestats",
  "tpstats",
  "compactionstats",
  "compactionhistory",
  "gcstats",
  "info",
  "status",
  "ring",
  "describecluster",
  "gossipinfo",
  "netstats",
  "version",
  "statusbinary",
  "getcompactionthroughput",
  "getstreamthroughput",
  "clientstats",
  "nodesyncrate",
  "describering",
  "statusgossip",
  "statusthrift",
  "toppartitions",
]);

export interface Classified {
  kind: FileKind;
  command?: string;
  compressed?: "gz" | "zip";
  rotation?: number;
}

/** Normalise a nodetool command name (no extension: the name rules capture it without one): `cfhistograms` -> `tablehistograms`. */
export function nodetoolCommand(name: string): string | undefined {
  const base = name.toLowerCase();
  const cmd = NODETOOL_ALIASES[base] ?? base;
  return NODETOOL_COMMANDS.has(cmd) ? cmd : undefined;
}

interface NameRule {
  /** What the rule recognises, for the inventory and for newcomers reading this table. */
  what: string;
  /** Tested against the path relative to the node folder (or source root), `/`-separated, lower case. */
  test: RegExp;
  classify: (m: RegExpMatchArray, rel: string) => Classified | undefined;
}

/** Rotation index of a rotated log name: gc.log.0.current -> 0, gc.log.3 -> 3, system.log.2.zip -> 2. */
function rotationOf(name: string): number {
  const m = /\.(\d+)(?:\.current)?(?:\.(?:zip|gz))?$/.exec(name);
  if (!m) return 0;
  return name.includes(".current") ? -1 : Number(m[1]);
}

function compressionOf(name: string): "gz" | "zip" | undefined {
  if (name.endsWith(".gz")) return "gz";
  if (name.endsWith(".zip")) return "zip";
  return undefined;
}

/** The name rules. */
export const NAME_RULES: NameRule[] = [
  { what: "cassperf manifest", test: /^cassperf\.json$/, classify: () => ({ kind: "manifest" }) },
  { what: "trace sessions (cassperf dataset)", test: /(^|\/)traces\/sessions\.jsonl$/, classify: () => ({ kind: "trace-sessions" }) },
  { what: "trace events (cassperf dataset)", test: /(^|\/)traces\/events\.jsonl$/, classify: () => ({ kind: "trace-events" }) },
  { what: "bench run (cassperf dataset)", test: /(^|\/)bench\/[^/]+\.json$/, classify: () => ({ kind: "bench-run" }) },
  { what: "schema", test: /(^|\/)(schema\.cql|driver\/schema|driver\/full-schema)$/, classify: () => ({ kind: "schema" }) },
  {
    what: "system.log and its rotations",
    test: /(^|\/)system\.log(\.[\w.-]+)?$/,
    classify: (_m, rel) => ({ kind: "system-log", compressed: compressionOf(rel), rotation: rotationOf(rel) }),
  },
  {
    what: "debug.log and its rotations",
    test: /(^|\/)debug\.log(\.[\w.-]+)?$/,
    classify: (_m, rel) => ({ kind: "debug-log", compressed: compressionOf(rel), rotation: rotationOf(rel) }),
  },
  { what: "output.log (the node's stdout)", test: /(^|\/)output\.log$/, classify: () => ({ kind: "output-log" }) },
  {
    what: "GC log and its rotations (gc.log, gc.log.0.current, gc.log.3, *.gc.log, gc-*.log)",
    test: /(^|\/)([\w.-]*\.)?gc(\.|-)[\w.-]*$|(^|\/)gc\.log$/,
    classify: (_m, rel) => {
      const base = rel.split("/").pop()!;
      if (!/(^|[.-])gc([.-]|$)/.test(base) || !/log/.test(base)) return undefined;
      return { kind: "gc-log", compressed: compressionOf(rel), rotation: rotationOf(base) };
    },
  },
  {
    what: "nodetool output in a nodetool/ folder (nodetool/cfhistograms, nodetool/tpstats.txt, tablestats.json, cfstats.gz)",
    test: /(^|\/)nodetool\/([\w-]+)(\.(txt|json|out))?(\.(gz|zip))?$/,
    classify: (m, rel) => {
      const cmd = nodetoolCommand(m[2]);
      const compressed = compressionOf(rel);
      return cmd ? { kind: "nodetool", command: cmd, ...(compressed ? { compressed } : {}) } : undefined;
    },
  },
  {
    what: "nodetool output named nodetool-<anything>-<command>.txt (e.g. nodetool-2.1-cfhistograms.txt)",
    test: /(^|\/)nodetool[-_](?:[\w.]+[-_])?([a-z]+)\.(txt|out|log)$/,
    classify: (m) => {
      const cmd = nodetoolCommand(m[2]);
      return cmd ? { kind: "nodetool", command: cmd } : undefined;
    },
  },
  { what: "cassandra-stress output", test: /(^|\/)[\w.-]*stress[\w.-]*\.(txt|log|out)$/, classify: () => ({ kind: "stress-output" }) },
  { what: "JmxScraper dump", test: /\.jmx$/, classify: () => ({ kind: "jmx-dump" }) },
  { what: "JMX dump (OpsCenter/ds-collector JSON)", test: /(^|\/)jmx_dump\.json$/, classify: () => ({ kind: "jmx-json" }) },
  { what: "cqlsh COPY of system_traces.events", test: /(^|\/)[\w.-]*events[\w.-]*\.csv$/, classify: () => ({ kind: "trace-events-csv" }) },
  {
    what: "configuration",
    test: /(^|\/)conf\/|(^|\/)(cassandra\.yaml|jvm[\w.-]*\.options|logback\.xml|cassandra-env\.sh)$/,
    classify: () => ({ kind: "conf" }),
  },
  { what: "OS metrics", test: /(^|\/)os-metrics\//, classify: () => ({ kind: "os-metrics" }) },
  { what: "DSE tool output (dsetool/, not nodetool)", test: /(^|\/)(dsetool|opscenterd|solr)\//, classify: () => ({ kind: "unrecognized" }) },
];

interface ContentRule {
  what: string;
  test: RegExp;
  kind: FileKind;
}

/**
 * Content rules, for names that say nothing. Tested against the first 64 KiB as text.
 * Order matters: a gc log can contain "INFO", a system.log can mention "GC".
 */
export const CONTENT_RULES: ContentRule[] = [
  {
    what: "unified JVM log (JDK 9+) with any decorations first (time, uptime, uptimemillis, level, tags)",
    test: /^\uFEFF?(\[[^\]\n]*\])+ ?(.*Using (G1|Parallel|Serial|Shenandoah|The Z Garbage Collector|Concurrent Mark Sweep|ZGC)|GC\(\d+\) )/m,
    kind: "gc-log",
  },
  { what: "JDK 8 GC log header", test: /^(Java HotSpot|OpenJDK 64-Bit).*\nMemory: .*\nCommandLine flags:/m, kind: "gc-log" },
  {
    what: "JDK 6-8 GC event lines ([date: ][uptime: ][GC / [Full GC / Shenandoah [Pause, decimal commas)",
    test: /^\uFEFF?(\d{4}-\d\d-\d\dT[\d:.,+-]+: ?)?(\d+[.,]\d+: )?(#\d+: )?\[(GC[ (]|GC\[|Full GC|Pause (Init|Final|Degenerated|Full))/m,
    kind: "gc-log",
  },
  { what: "cqlsh TRACING ON output", test: /^Tracing session: [0-9a-f-]{36}/m, kind: "trace-cqlsh" },
  { what: "cqlsh COPY system_traces.events CSV", test: /^session_id,event_id,activity/m, kind: "trace-events-csv" },
  { what: "cassandra-stress output", test: /^(Running \w+ with \d+ threads|Results:\s*$|op rate\s*:)/m, kind: "stress-output" },
  {
    what: "Cassandra system.log (logback)",
    test: /^(INFO|WARN|ERROR|DEBUG|TRACE)\s+\[[^\]]+\]\s+\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3}\s+\S+\.java:\d+ - /m,
    kind: "system-log",
  },
  { what: "Cassandra console log (INFO  HH:MM:SS message)", test: /^(INFO|WARN|ERROR|DEBUG)\s+\d\d:\d\d:\d\d /m, kind: "system-log" },
  { what: "JmxScraper dump", test: /^org\.apache\.cassandra\.metrics\{type=/m, kind: "jmx-dump" },
];

/** nodetool outputs recognised by their header line, for single files. */
const NODETOOL_CONTENT: { command: string; test: RegExp }[] = [
  { command: "tablehistograms", test: /^Percentile\s+SSTables\s+Write Latency/m },
  { command: "proxyhistograms", test: /^Percentile\s+Read Latency\s+Write Latency\s+Range Latency/m },
  { command: "tablestats", test: /^(Keyspace|Keyspace\s*):\s*\S+\n\s+Read Count:/m },
  // netstats prints a "Pool Name Active Pending Completed Dropped" table of its own (Commands,
  // Responses; NetStats.java), so it is tried before tpstats, whose header ends in "Blocked"
  // (TpStatsPrinter: "Pool Name", "Active", "Pending", "Completed", "Blocked", "All time blocked").
  { command: "netstats", test: /^Mode: [A-Z]+\s*$/m },
  { command: "tpstats", test: /^Pool Name\s+Active\s+Pending\s+Completed\s+Blocked/m },
  { command: "compactionstats", test: /^pending tasks: \d+/m },
  { command: "info", test: /^ID\s+: [0-9a-f-]{36}\n(.*\n){0,4}Load\s+:/m },
  { command: "status", test: /^Status=Up\/Down/m },
  { command: "gcstats", test: /^\s*Interval \(ms\)\s+Max GC Elapsed \(ms\)/m },
  { command: "clientstats", test: /^Total connected clients: \d+\s*$|^Address\s+SSL\s+Cipher\s+Protocol\s+Version\s/m },
];

/**
 * When a file named as one nodetool command's output holds another's (cfhistograms text saved as
 * proxyhistograms, cfstats saved as info), the command its content shows; undefined when the
 * content agrees with the name or shows no known header. Only a header that positively names
 * another command counts: outputs without a header rule here (DSE's "Pools ..." tpstats, errors
 * such as "nodetool: cfhistograms requires ks and cf args") keep their name.
 */
export function nodetoolMismatch(named: string | undefined, head: string): string | undefined {
  if (!named) return undefined;
  const own = NODETOOL_CONTENT.find((r) => r.command === named);
  if (own?.test.test(head)) return undefined;
  const other = NODETOOL_CONTENT.find((r) => r.command !== named && r.test.test(head));
  return other?.command;
}

/** True when the sample looks binary (NUL bytes, or more than 10% control bytes). */
export function looksBinary(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / sample.length > 0.1;
}

/** Classify by the path relative to its node (or the source root). */
export function classifyByName(rel: string): Classified | undefined {
  const lower = rel.toLowerCase();
  for (const rule of NAME_RULES) {
    const m = lower.match(rule.test);
    if (!m) continue;
    const c = rule.classify(m, lower);
    if (c) return c;
  }
  return undefined;
}

/** Classify by content (the first 64 KiB, as text). */
export function classifyByContent(head: string): Classified | undefined {
  for (const rule of NODETOOL_CONTENT) if (rule.test.test(head)) return { kind: "nodetool", command: rule.command };
  for (const rule of CONTENT_RULES) if (rule.test.test(head)) return { kind: rule.kind };
  return undefined;
}
