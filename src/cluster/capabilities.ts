/**
 * Which helper a source can answer, decided once: inventory()'s `capabilities` frame, health()'s
 * "cannot answer" rows and the helpers' own "missing evidence" errors all come from this table
 * (before, inventory() counted a file by its kind while gcStats() looked inside it, so a bundle
 * whose system.log held no GCInspector line was "answerable" in one and an error in the other).
 *
 * A recorded source can answer a helper when it holds a file of one of the listed kinds or nodetool
 * commands — and, for kinds whose presence alone says nothing (a system.log without GC lines, a
 * tablestats without partition sizes), when the file also contains one of the listed marker texts.
 * A live source answers from what connect() was given (log folders, a nodetool command).
 * Files are looked into at the I/O edge (../cluster/file-peek.ts); bench's session runs come from
 * ../cluster/bench-runs.ts, so this table imports no helper.
 */
import { CassperfError } from "../errors";
import { LiveSource } from "./live";
import { liveBenchRuns } from "./bench-runs";
import { fileContains } from "./file-peek";
import { viewNodes } from "./system-views";
import type { FileKind, Source, SourceFile } from "./source";
import { plural } from "../present/plural";

/** Evidence one helper reads from a recording. */
interface Needs {
  kinds?: FileKind[];
  commands?: string[];
  /** Any file whose path matches. */
  names?: RegExp;
  /**
   * Files of these kinds / commands count only when they contain one of the texts (Cassandra's own
   * wording; the parsers' line rules match the same words).
   */
  contains?: { kinds?: FileKind[]; commands?: string[]; texts: string[] }[];
}

/** One helper's row: what it reads (recorded, live) and what to add when it cannot answer. */
export interface HelperCapabilityRule {
  helper: string;
  /** null: answers from any source (inventory). */
  recorded: Needs | null;
  /** Live: what it reads, in words. */
  liveFrom: string;
  /** Live: null when it can answer, else why not (with how to give it). */
  live: (s: LiveSource) => string | null;
  /** What to add to a recording so the helper can answer. */
  missing: string;
}

/** nodetool is missing on a live source: what to pass, and what needs no nodetool. */
export const LIVE_NODETOOL_MISSING =
  'connect() was not given a nodetool command, so the nodes\' server-side histograms, tablestats and info cannot be read: pass connect({ ..., nodetool: "/path/to/nodetool -h {host}" }) (or "ssh {host} nodetool"); lab.connect(dir) sets it for a lab. Cassandra 4.0+ also serves latency tables in system_views over CQL, which need no nodetool.';

const logsOr = (s: LiveSource, what: string) =>
  s.files({ kind: ["system-log", "debug-log", "gc-log"] }).length
    ? null
    : `connect() was given no log folders (${what}): pass connect({ ..., logs: { "<host>": "/var/log/cassandra" } })`;
const nodetoolOr = (s: LiveSource) => (s.hasNodetool() ? null : LIVE_NODETOOL_MISSING);
/** Nodetool, or Cassandra 4.0+ nodes whose system_views answer over CQL (cluster/system-views.ts). */
const nodetoolOrViews = (s: LiveSource) =>
  s.hasNodetool() || viewNodes(s).nodes.length ? null : `${LIVE_NODETOOL_MISSING} These nodes are older than 4.0 (no system_views).`;

/** Cassandra's GCInspector logger name (2.x-5.0 system.log) and its line wording. */
const GC_IN_SYSTEM_LOG = ["GCInspector"];
/** tablehistograms/cfhistograms' column header (2.1-5.0, DSE); "requires ks and cf args" outputs have none. */
const HISTOGRAM_HEADER = ["Percentile"];
/** tablestats' partition-size lines (2.1: "Compacted partition maximum bytes"; 2.0: "Compacted row maximum size"). */
const TABLESTATS_PARTITIONS = ["Compacted partition maximum bytes", "Compacted row maximum size"];
/** Cassandra's large-partition warnings ("Writing large partition", "Compacting large partition", 2.1's "Compacting large row"). */
const LARGE_PARTITION = ["large partition", "large row"];

/** Slow-query, timed-out-query and tombstone lines queryPatterns reads (src/parse/log-rules.ts: "msec - slow timeout", "tombstone cells", "tombstones during query"). */
const QUERY_LINES = ["slow timeout", "msec - timeout", "timed out", "tombstone cells", "tombstones during query", "tombstones in "];

/** The table: one row per helper, in health()'s order. */
export const HELPER_CAPABILITIES: HelperCapabilityRule[] = [
  { helper: "inventory", recorded: null, liveFrom: "the driver's metadata", live: () => null, missing: "" },
  {
    helper: "gcStats",
    recorded: { kinds: ["gc-log"], commands: ["gcstats"], contains: [{ kinds: ["system-log"], texts: GC_IN_SYSTEM_LOG }] },
    liveFrom: "GC logs when connect() is given logs",
    live: (s) => logsOr(s, "GC logs"),
    missing: "logs/cassandra/gc.log* (or a system.log with GCInspector lines, or nodetool gcstats output) per node",
  },
  {
    helper: "jvm",
    recorded: { kinds: ["gc-log", "system-log"], commands: ["info"], names: /(^|\/)(java_cmdline|java_command_line\.txt)$/ },
    liveFrom: "system.log's JVM Arguments line, the GC log header or nodetool info",
    live: (s) =>
      logsOr(s, "JVM Arguments line, GC log header") === null || nodetoolOr(s) === null
        ? null
        : `connect() was given neither log folders nor a nodetool command; ${LIVE_NODETOOL_MISSING}`,
    missing: "system.log (its JVM Arguments line), gc.log*, nodetool info or java_cmdline per node",
  },
  {
    helper: "logs",
    recorded: { kinds: ["system-log", "debug-log"] },
    liveFrom: "system.log when connect() is given logs",
    live: (s) =>
      s.files({ kind: ["system-log", "debug-log"] }).length
        ? null
        : 'connect() was given no log folders (system.log): pass connect({ ..., logs: { "<host>": "/var/log/cassandra" } })',
    missing: "logs/cassandra/system.log* and debug.log* per node",
  },
  {
    helper: "histograms",
    recorded: { kinds: ["jmx-dump"], commands: ["proxyhistograms"], contains: [{ commands: ["tablehistograms"], texts: HISTOGRAM_HEADER }] },
    liveFrom: "nodetool (when connect() is given nodetool) or system_views on 4.0+",
    live: nodetoolOrViews,
    missing: "nodetool tablehistograms / proxyhistograms output in nodes/<node>/nodetool/ (or a JmxScraper dump)",
  },
  {
    helper: "trace",
    recorded: { kinds: ["trace-sessions", "trace-events", "trace-cqlsh", "trace-csv"] as FileKind[] },
    liveFrom: "system_traces (any version)",
    live: () => null,
    missing: "traces/sessions.jsonl and events.jsonl (record(live, dir)), a cqlsh TRACING ON output or a system_traces.events CSV",
  },
  {
    helper: "queryPatterns",
    recorded: {
      kinds: ["trace-sessions", "trace-events", "trace-cqlsh", "trace-csv"] as FileKind[],
      contains: [{ kinds: ["system-log", "debug-log"], texts: QUERY_LINES }],
    },
    liveFrom: "system_traces, and logs when connect() is given them",
    live: () => null,
    missing: "system.log/debug.log with slow-query or tombstone lines, or trace sessions",
  },
  {
    helper: "compactionAdvice",
    recorded: { kinds: ["schema"], commands: ["tablestats", "tablehistograms", "compactionstats"] },
    liveFrom: "the schema over CQL, and nodetool when given",
    live: () => null,
    missing: "schema.cql and nodetool tablestats/tablehistograms/compactionstats",
  },
  {
    helper: "caches",
    recorded: { commands: ["info"] },
    liveFrom: "nodetool info, or system_views.caches on 4.0+",
    live: nodetoolOrViews,
    missing: "nodetool info per node (nodes/<node>/nodetool/info)",
  },
  {
    helper: "connections",
    recorded: { commands: ["clientstats"] },
    liveFrom: "the driver's own pool state",
    live: () => null,
    missing: "a live source (the driver's own pool state) or nodetool clientstats output",
  },
  {
    helper: "benchRuns",
    recorded: { kinds: ["bench-run", "stress-output"] },
    liveFrom: "runs workloads",
    live: (s) => (liveBenchRuns(s).length ? null : 'no bench run in this session: bench("writes") runs one'),
    missing: "bench/<run>.json or a cassandra-stress output",
  },
  {
    helper: "partitionScan",
    recorded: {
      contains: [
        { commands: ["tablehistograms"], texts: HISTOGRAM_HEADER },
        { commands: ["tablestats"], texts: TABLESTATS_PARTITIONS },
        { kinds: ["system-log", "debug-log"], texts: LARGE_PARTITION },
      ],
    },
    liveFrom: "a token-range scan of the table you name",
    live: () => null,
    missing: "nodetool tablehistograms/tablestats output with partition sizes, or a system.log with large-partition warnings",
  },
];

/** What a source can answer for one helper. */
export interface Capability {
  helper: string;
  answerable: boolean;
  /** The evidence it answers from (file kinds / nodetool commands; live: in words). */
  from: string | null;
  /** Why not (null when answerable). */
  reason: string | null;
  /** What to add (null when answerable). */
  missing: string | null;
}

const label = (f: SourceFile) => (f.kind === "nodetool" ? `nodetool ${f.command}` : f.kind);
const cache = new WeakMap<Source, Map<string, Promise<Capability>>>();

/** The rule of a helper ("trace" and "traces" share one). */
export function capabilityRule(helper: string): HelperCapabilityRule | undefined {
  const name = helper === "traces" ? "trace" : helper;
  return HELPER_CAPABILITIES.find((r) => r.helper === name);
}

/**
 * Whether `source` can answer `helper`, from the one table. Recorded answers are cached per source.
 * @example (await capability("gcStats", await open("bundle.tar.gz"))).answerable
 */
export function capability(helper: string, source: Source): Promise<Capability> {
  let perSource = cache.get(source);
  if (!perSource) cache.set(source, (perSource = new Map()));
  const live = source instanceof LiveSource;
  const key = helper === "traces" ? "trace" : helper;
  if (!live && perSource.has(key)) return perSource.get(key)!;
  const p = compute(helper, source);
  if (!live) perSource.set(key, p);
  return p;
}

async function compute(helper: string, source: Source): Promise<Capability> {
  const rule = capabilityRule(helper);
  if (!rule) return { helper, answerable: true, from: null, reason: null, missing: null };
  if (source instanceof LiveSource) {
    const why = rule.live(source);
    return { helper: rule.helper, answerable: why === null, from: why === null ? rule.liveFrom : null, reason: why, missing: why === null ? null : why };
  }
  if (!rule.recorded) return { helper: rule.helper, answerable: true, from: null, reason: null, missing: null };
  const { kinds = [], commands = [], names, contains = [] } = rule.recorded;
  const files = source.files();
  const matches = (f: SourceFile, k: FileKind[], c: string[]) =>
    k.includes(f.kind) || (f.kind === "nodetool" && f.command !== undefined && c.includes(f.command));
  const have = files.filter((f) => matches(f, kinds, commands) || (names !== undefined && names.test(f.rel)));
  const checked: SourceFile[] = [];
  // Look inside files only when the kinds alone did not answer, and stop at the first file that does.
  for (const c of have.length ? [] : contains) {
    for (const f of files) {
      if (!matches(f, c.kinds ?? [], c.commands ?? []) || f.rel.endsWith(".json")) continue;
      checked.push(f);
      if (await fileContains(source, f, c.texts)) {
        have.push(f);
        break;
      }
    }
    if (have.length) break;
  }
  const from = [...new Set(have.map(label))].sort().join(", ");
  if (have.length) return { helper: rule.helper, answerable: true, from, reason: null, missing: null };
  const lacking = checked.length
    ? `its files hold none of the evidence it reads (${[...new Set(checked.map(label))].sort().join(", ")}: ${plural(checked.length, "file")} looked at, none with ${rule.recorded.contains!.map((c) => c.texts.map((t) => `"${t}"`).join(" or ")).join(", or ")})`
    : "none of the files it reads are in this source";
  return { helper: rule.helper, answerable: false, from: null, reason: lacking, missing: rule.missing };
}

/** Every helper's capability on `source`, in the table's order. */
export async function capabilities(source: Source): Promise<Capability[]> {
  const out: Capability[] = [];
  for (const r of HELPER_CAPABILITIES) out.push(await capability(r.helper, source));
  return out;
}

/**
 * The standard "this source cannot answer this helper" error, worded from the table: what is
 * missing and what to add. Helpers throw it when they find no evidence at all.
 * @example if (!rows.length) throw await missingEvidence("gcStats", source)
 */
export async function missingEvidence(helper: string, source: Source, detail?: string): Promise<CassperfError> {
  const c = await capability(helper, source);
  const rule = capabilityRule(helper);
  const why = c.answerable ? (detail ?? "no evidence it can read") : (c.reason ?? detail ?? "no evidence it can read");
  return new CassperfError(`${helper}: cannot answer from ${source.describe()}: ${why}.`, {
    noEvidence: true,
    hint: (c.missing ?? rule?.missing) ? `add ${c.missing ?? rule?.missing}` : undefined,
  });
}
