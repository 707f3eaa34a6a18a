/**
 * Which helper a source can answer, decided once: inventory()'s `capabilities` frame, health()'s
 * "cannot answer" rows and the helpers' own "missing evidence" errors all come from the same rows
 * (before, inventory() counted a file by its kind while gcStats() looked inside it, so a bundle
 * whose system.log held no GCInspector line was "answerable" in one and an error in the other).
 *
 * The rows are the registry's: each entry of ../helpers.ts says what its helper `needs`, read here
 * from ../registry.ts (which imports nothing at run time); this module is the machinery that checks
 * a source against them, plus the building blocks the rows are written with (the live checks, the
 * marker texts in Cassandra's own words). It imports no helper.
 *
 * A recorded source can answer a helper when it holds a file of one of the listed kinds or nodetool
 * commands — and, for kinds whose presence alone says nothing (a system.log without GC lines, a
 * tablestats without partition sizes), when the file also contains one of the listed marker texts.
 * A live source answers from what connect() was given (log folders, a nodetool command).
 * Files are looked into at the I/O edge (../cluster/file-peek.ts).
 */
import { CassperfError } from "../errors";
import { LiveSource } from "./live";
import { fileContains } from "./file-peek";
import { viewNodes } from "./system-views";
import type { FileKind, Source, SourceFile } from "./source";
import { plural } from "../present/plural";
import { HELPERS } from "../registry";

/** Evidence one helper reads from a recording. */
export interface Needs {
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

/** What one helper reads (recorded, live) and what to add when it cannot answer: a registry entry's `needs`. */
export interface HelperNeeds {
  /** null: answers from any source (inventory). */
  recorded: Needs | null;
  /** Live: what it reads, in words. */
  liveFrom: string;
  /** Live: null when it can answer, else why not (with how to give it). */
  live: (s: LiveSource) => string | null;
  /** What to add to a recording so the helper can answer. */
  missing: string;
}

/** A helper's row: its needs and its name. */
export interface HelperCapabilityRule extends HelperNeeds {
  helper: string;
}

/** nodetool is missing on a live source: what to pass, and what needs no nodetool. */
export const LIVE_NODETOOL_MISSING =
  'connect() was not given a nodetool command, so the nodes\' server-side histograms, tablestats and info cannot be read: pass connect({ ..., nodetool: "/path/to/nodetool -h {host}" }) (or "ssh {host} nodetool"); lab.connect(dir) sets it for a lab. Cassandra 4.0+ also serves latency tables in system_views over CQL, which need no nodetool.';

export const logsOr = (s: LiveSource, what: string) =>
  s.files({ kind: ["system-log", "debug-log", "gc-log"] }).length
    ? null
    : `connect() was given no log folders (${what}): pass connect({ ..., logs: { "<host>": "/var/log/cassandra" } })`;
export const nodetoolOr = (s: LiveSource) => (s.hasNodetool() ? null : LIVE_NODETOOL_MISSING);
/** Nodetool, or Cassandra 4.0+ nodes whose system_views answer over CQL (cluster/system-views.ts). */
export const nodetoolOrViews = (s: LiveSource) =>
  s.hasNodetool() || viewNodes(s).nodes.length ? null : `${LIVE_NODETOOL_MISSING} These nodes are older than 4.0 (no system_views).`;

/** Cassandra's GCInspector logger name (2.x-5.0 system.log) and its line wording. */
export const GC_IN_SYSTEM_LOG = ["GCInspector"];
/** tablehistograms/cfhistograms' column header (2.1-5.0, DSE); "requires ks and cf args" outputs have none. */
export const HISTOGRAM_HEADER = ["Percentile"];
/** tablestats' partition-size lines (2.1: "Compacted partition maximum bytes"; 2.0: "Compacted row maximum size"). */
export const TABLESTATS_PARTITIONS = ["Compacted partition maximum bytes", "Compacted row maximum size"];
/** Cassandra's large-partition warnings ("Writing large partition", "Compacting large partition", 2.1's "Compacting large row"). */
export const LARGE_PARTITION = ["large partition", "large row"];

/** Slow-query, timed-out-query and tombstone lines queryPatterns reads (src/parse/log-rules.ts: "msec - slow timeout", "tombstone cells", "tombstones during query"). */
export const QUERY_LINES = ["slow timeout", "msec - timeout", "timed out", "tombstone cells", "tombstones during query", "tombstones in "];

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

/** The row of a helper: its registry entry's `needs` (undefined when it has none, or before ../helpers.ts loaded). */
export function capabilityRule(helper: string): HelperCapabilityRule | undefined {
  const needs = HELPERS.get(helper)?.needs;
  return needs ? { helper, ...needs } : undefined;
}

/**
 * Whether `source` can answer `helper`, from the one table. Recorded answers are cached per source.
 * @example (await capability("gcStats", await open("bundle.tar.gz"))).answerable
 */
export function capability(helper: string, source: Source): Promise<Capability> {
  let perSource = cache.get(source);
  if (!perSource) cache.set(source, (perSource = new Map()));
  const live = source instanceof LiveSource;
  if (!live && perSource.has(helper)) return perSource.get(helper)!;
  const p = compute(helper, source);
  if (!live) perSource.set(helper, p);
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

/** Every helper's capability on `source`, in the registry's order (the helpers with a row). */
export async function capabilities(source: Source): Promise<Capability[]> {
  const out: Capability[] = [];
  for (const [helper, entry] of HELPERS) if (entry.needs) out.push(await capability(helper, source));
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
