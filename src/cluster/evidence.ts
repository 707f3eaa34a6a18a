/**
 * Evidence gathering shared by helpers: the same question ("tpstats of every node") answered from
 * a live cluster (run nodetool) or a recording (read the files), so analysis code never branches.
 * missing() words its hint from the helper's registry entry (its `needs`, read through
 * ./capabilities.ts, which imports no helper, so there is no cycle to dodge).
 */
import { CassperfError } from "../errors";
import { capabilityRule } from "./capabilities";
import { NODETOOL_ALIASES } from "./classify";
import { LiveSource } from "./live";
import type { Source, SourceFile } from "./source";
import { feedBlock, parseLines, type LineParser } from "../parse/nodetool-common";
import { plural } from "../present/plural";

/** One nodetool output of one node, live or recorded. */
export interface NodetoolText {
  node: string;
  /** Normalised command (tablehistograms, tablestats, ...). */
  command: string;
  text: string;
  /** Where it came from: the file's path in the source, or "live nodetool on <node>". */
  origin: string;
  /** When it was captured, when known (live: now; recorded: the manifest's captured_at or unknown). */
  capturedAt?: string;
}

/** Live nodetool names for normalised commands (2.1 knows only the cf* names): the aliases, inverted. */
const LIVE_COMMAND: Record<string, string> = Object.fromEntries(Object.entries(NODETOOL_ALIASES).map(([old, now]) => [now, old]));

/**
 * Every output of a nodetool command of a live cluster: nodetool run on every node (the table
 * argument is passed for tablehistograms/tablestats when given). Recorded outputs are read with
 * {@link streamedNodetool}, line by line, never as one string.
 */
export async function nodetoolTexts(source: LiveSource, command: string, args: string[] = []): Promise<NodetoolText[]> {
  if (!source.hasNodetool()) return [];
  const out: NodetoolText[] = [];
  const versions = source.versions();
  for (const node of source.nodes()) {
    // 2.1 knows only cfhistograms/cfstats; 4.0+ only tablehistograms/tablestats.
    const name = Number(/^(\d+)/.exec(versions[node] ?? "")?.[1] ?? 0) >= 4 ? command : (LIVE_COMMAND[command] ?? command);
    const r = await source.nodetool(node, [name, ...args]);
    out.push({ node, command, text: r.text, origin: `live nodetool ${name} on ${node}`, capturedAt: r.capturedAt });
  }
  return out;
}

/** Files without the `.json` outputs of nodes that also have a text output of the same command. */
function withoutJsonDuplicates(files: SourceFile[]): SourceFile[] {
  return files.filter((f) => !(f.rel.endsWith(".json") && files.some((o) => o.node === f.node && !o.rel.endsWith(".json"))));
}

/** Files of given kinds, oldest rotation first per node (gc.log.3, gc.log.2, ..., gc.log.0.current). */
export function filesInTimeOrder(source: Source, kinds: SourceFile["kind"][]): SourceFile[] {
  return source
    .files({ kind: kinds })
    .slice()
    .sort((a, b) => a.node.localeCompare(b.node) || (b.rotation ?? 0) - (a.rotation ?? 0) || a.rel.localeCompare(b.rel));
}

/**
 * Throw the standard "this source lacks X" error. What to add comes from the one capability table
 * inventory() and health() use (src/cluster/capabilities.ts), `how` when the table has no row.
 */
export function missing(helper: string, source: Source, what: string, how: string): never {
  const rule = capabilityRule(helper);
  const live = source instanceof LiveSource && rule ? rule.live(source) : null;
  const hint = live ?? (rule?.missing && !(source instanceof LiveSource) ? `add ${rule.missing}; ${how}` : how);
  // What is there but could not be read may be exactly what is missing: say so.
  const unread = source.files({ kind: "unreadable" });
  const cannot = unread.length
    ? ` (${plural(unread.length, "file")} could not be read: ${unread
        .slice(0, 5)
        .map((f) => `${f.rel} (${f.note ?? "unreadable"})`)
        .join(", ")}${unread.length > 5 ? ", …" : ""})`
    : "";
  throw new CassperfError(`${helper}: the source (${source.describe()}) has no ${what}${cannot}.`, { hint, noEvidence: true });
}

/** One nodetool output of one node, parsed line by line as it was read (no `text` is kept). */
export interface StreamedNodetool<T> extends Omit<NodetoolText, "text"> {
  parsed: T;
}

/**
 * Every output of a nodetool command, parsed by a {@link LineParser} as it is read: a recorded file
 * is read in blocks of whole lines (Source.readLineBlocks, .gz/.zip undone), so an output of any
 * size is parsed without a whole-file string; a live output (nodetool's stdout, already in memory)
 * is fed line by line too. A parser that throws (an unknown header) or a file that cannot be read
 * becomes a note naming the file instead of sinking the helper; JSON duplicates of text outputs are
 * skipped.
 * @example for (const t of await streamedNodetool(source, "tpstats", (o) => new TpstatsLines(o), notes)) t.parsed.pools
 */
export async function streamedNodetool<T>(
  source: Source,
  command: string,
  parser: (options: { file: string }) => LineParser<T>,
  notes: string[],
  args: string[] = [],
): Promise<StreamedNodetool<T>[]> {
  const out: StreamedNodetool<T>[] = [];
  if (source instanceof LiveSource) {
    let texts: NodetoolText[];
    try {
      texts = await nodetoolTexts(source, command, args);
    } catch (e) {
      notes.push(`${command}: ${(e as Error).message}`);
      return out;
    }
    for (const { text, ...t } of texts) {
      try {
        out.push({ ...t, parsed: parseLines(parser({ file: t.origin }), text) });
      } catch (e) {
        notes.push((e as Error).message);
      }
    }
    return out;
  }
  const capturedAt = (source as { manifest?: { captured_at?: string } }).manifest?.captured_at;
  for (const f of withoutJsonDuplicates(source.files({ kind: "nodetool", command }))) {
    try {
      const parsed = await parseFileLines(source, f, parser({ file: f.rel }));
      out.push({ node: f.node, command, origin: f.rel, ...(capturedAt ? { capturedAt } : {}), parsed });
    } catch (e) {
      notes.push((e as Error).message);
    }
  }
  return out;
}

/**
 * A recorded file parsed by a {@link LineParser} as it is read: blocks of whole lines (Source.readLineBlocks, .gz/.zip undone)
 * fed line by line with the file's own line numbers, then the parser's result. No whole-file string, whatever the file's size.
 * @example const clients = await parseFileLines(source, f, new ClientstatsLines({ file: f.rel }))
 */
export async function parseFileLines<T>(source: Source, f: SourceFile, parser: LineParser<T>): Promise<T> {
  let lines = 0;
  for await (const block of source.readLineBlocks(f)) lines += feedBlock(parser, block, lines);
  return parser.end();
}
