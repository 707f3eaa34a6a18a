/**
 * inventory(): the first report on any source — its nodes, Cassandra versions, the files of each
 * kind per node, the time range the logs cover, what each helper can answer from this source and
 * what is missing, and the files that could not be read. Log files are peeked at through
 * ../cluster/file-peek.ts (no node:fs here).
 */
import { LiveSource } from "../cluster/live";
import { withFileWindows } from "../cluster/file-peek";
import { readHead, RecordedSource, type RecordedLayout } from "../cluster/recorded";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../cluster/resolve";
import type { FileKind, Source, SourceFile } from "../cluster/source";
import { makeReport, type DataFrame, type Finding, type Report, type Summary, type TypedRows } from "../present/report";
import { capabilities, type Capability } from "../cluster/capabilities";
import { plural } from "../present/plural";

/** What each helper needs: the one table shared with health() and the helpers' errors (../cluster/capabilities.ts). */

const TIME_PATTERNS: { re: RegExp; parse: (m: RegExpMatchArray) => string }[] = [
  // logback: INFO  [main] 2019-12-10 18:34:12,503 ...
  { re: /(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)[,.](\d{3})/, parse: (m) => `${m[1]}T${m[2]}.${m[3]}Z` },
];

/** First and last timestamp of a plain-text log, from its first and last KiBs (widening the tail window past very long last lines). */
function timeRange(file: SourceFile): { first?: string; last?: string } {
  if (file.compressed || file.size === 0) return {};
  const find = (text: string, last: boolean) => {
    const lines = text.split("\n");
    if (last) lines.reverse();
    for (const line of lines)
      for (const p of TIME_PATTERNS) {
        const m = line.match(p.re);
        if (m) return p.parse(m);
      }
    return undefined;
  };
  // Gone or unreadable since open(): no time range, the file's row still says what it was.
  return (
    withFileWindows(file.path, (read) => {
      const first = find(read(0, Math.min(16384, file.size)), false);
      let last: string | undefined;
      for (let n = 16384; !last; n *= 8) {
        const size = Math.min(n, file.size);
        last = find(read(file.size - size, size), true);
        if (size === file.size || n > 8 * 2 ** 20) break;
      }
      return { first, last };
    }) ?? {}
  );
}

/**
 * The first hit of `find` in a recorded file, read block by block (Source.readLineBlocks, .gz/.zip
 * undone) and no further than the block that holds it: a file of any size is searched without a
 * whole-file string. Blocks are whole lines; the previous block's last line is searched again with
 * the next one, so a match running from one line onto the next ("ReleaseVersion:" then the value)
 * is found across a block boundary too.
 * @example await firstInFile(source, f, (text) => /ReleaseVersion:\s*(\S+)/.exec(text)?.[1])
 */
export async function firstInFile<T>(source: Source, f: SourceFile, find: (text: string) => T | undefined): Promise<T | undefined> {
  let carry = "";
  for await (const block of source.readLineBlocks(f)) {
    const hit = find(carry + block);
    if (hit !== undefined) return hit;
    const body = block.endsWith("\n") ? block.slice(0, -1) : block;
    carry = `${body.slice(body.lastIndexOf("\n") + 1)}\n`;
  }
  return undefined;
}

/** Cassandra versions per node from what the source holds: driver (live), manifest, nodetool version, system.log startup lines. */
export async function versionsOf(source: Source): Promise<Record<string, string>> {
  if (source instanceof LiveSource) return source.versions();
  const out: Record<string, string> = { ...((source as RecordedSource).manifest?.cassandra_versions ?? {}) };
  for (const f of source.files({ kind: "nodetool", command: "version" })) {
    if (out[f.node]) continue;
    const v = await firstInFile(source, f, (text) => /ReleaseVersion:\s*(\S+)/.exec(text)?.[1]);
    if (v) out[f.node] = v;
  }
  for (const f of source.files({ kind: "system-log" })) {
    if (out[f.node] || f.compressed) continue;
    const m = /Cassandra version: (\S+)|DSE version: (\S+)/.exec(readHead(f.path, 512 * 1024).toString("utf8"));
    if (m) out[f.node] = m[1] ?? `DSE ${m[2]}`;
  }
  return out;
}

/**
 * Options of {@link inventory}: only where to read from (`source`); inventory() has no options of its own.
 * @example await inventory({ source: "datasets/lab-3node" })
 */
export type InventoryOptions = HelperOptions;

/** A row of inventory()'s `nodes` frame: one node, its version and the time its logs cover. */
export interface InventoryNodeRow {
  /** The node's name as the source lists it (an address for a bundle or a live cluster). */
  node: string;
  /** Cassandra version (driver, manifest, nodetool version or the startup line); null when unknown. */
  version: string | null;
  /** Files of this node. */
  files: number;
  /** The kinds of those files, comma-separated ("gc-log, nodetool:info, system-log"). */
  kinds: string;
  /** First timestamp in its system.log/debug.log files (ISO); null when none was read. */
  logs_from: string | null;
  /** Last timestamp in them (ISO); null when none was read. */
  logs_to: string | null;
}

/** A row of inventory()'s `files` frame: one file of the source. */
export interface InventoryFileRow {
  /** The node the file belongs to, "(cluster)" for cluster-wide files. */
  node: string;
  /** What cassperf recognised the file as: gc-log, system-log, nodetool, unreadable, ... */
  kind: FileKind;
  /** The nodetool command, for nodetool output; else null. */
  command: string | null;
  /** Path inside the source. */
  file: string;
  /** Size on disk. */
  bytes: number;
  /** Why the file is unreadable or otherwise special; null when nothing to say. */
  note: string | null;
}

/** A row of inventory()'s `capabilities` frame: whether a helper can answer from this source. */
export type InventoryCapabilityRow = Pick<Capability, "helper" | "answerable" | "from" | "missing">;

/** inventory()'s headline numbers (`summary`). */
export type InventorySummary = {
  /** The source's name. */
  source: string;
  /** "live" for a connected cluster, "recorded" for a recording. */
  kind: "live" | "recorded";
  /** "live", or the recording's layout (dataset, bundle, file, ...). */
  layout: RecordedLayout | "live";
  /** Nodes in the source. */
  nodes: number;
  /** Cassandra versions seen, comma-separated; null when unknown. */
  versions: string | null;
  /** Files in the source. */
  files: number;
  /** Files that could not be read (each is also a finding). */
  unreadable: number;
  /** First log timestamp of any node (ISO); null when none was read. */
  logs_from: string | null;
  /** Last log timestamp of any node (ISO); null when none was read. */
  logs_to: string | null;
  /** The helpers this source can answer, comma-separated. */
  answerable: string;
  /** Files per kind. */
  kinds: Record<string, number>;
};

/**
 * What inventory() returns: frames `nodes`, `files` and `capabilities`; chart "files"; findings for
 * unreadable files and helpers that cannot answer.
 * @example (await inventory()).rows("capabilities").filter((c) => !c.answerable)
 * @example (await inventory()).summary.versions
 */
export type InventoryReport = TypedRows<{ nodes: InventoryNodeRow; files: InventoryFileRow; capabilities: InventoryCapabilityRow }> &
  Report<"nodes" | "files" | "capabilities"> & {
    readonly summary: Summary<InventorySummary>;
    /** One row per node: node, version, files, kinds, logs_from, logs_to. */
    readonly nodes: DataFrame;
    /** One row per file: node, kind, command, file, bytes, note. */
    readonly files: DataFrame;
    /** One row per helper: helper, answerable, from, missing. */
    readonly capabilities: DataFrame;
  };

/**
 * inventory(): what a source holds and what each helper can answer from it.
 * @example inventory()                          // the current source
 * @example inventory(await open("diag.tar.gz"))  // another source
 */
export async function inventory(input?: SourceInput | InventoryOptions, options?: InventoryOptions): Promise<InventoryReport> {
  const source = await resolveSource(helperArgs("inventory", input, options, "source").source, "inventory");
  const files = source.files();
  const versions = await versionsOf(source);
  const nodes = source.nodes();
  const fileRows = files.map((f) => ({
    node: f.node || "(cluster)",
    kind: f.kind,
    command: f.command ?? null,
    file: f.rel,
    bytes: f.size,
    note: f.note ?? null,
  }));
  let overallFirst: string | undefined;
  let overallLast: string | undefined;
  const nodeRows = nodes.map((node) => {
    const own = files.filter((f) => f.node === node);
    let first: string | undefined;
    let last: string | undefined;
    for (const f of own.filter((f) => f.kind === "system-log" || f.kind === "debug-log")) {
      const r = timeRange(f);
      if (r.first && (!first || r.first < first)) first = r.first;
      if (r.last && (!last || r.last > last)) last = r.last;
    }
    if (first && (!overallFirst || first < overallFirst)) overallFirst = first;
    if (last && (!overallLast || last > overallLast)) overallLast = last;
    const kinds = [...new Set(own.map((f) => (f.kind === "nodetool" ? `nodetool:${f.command}` : f.kind)))].filter(
      (k) => k !== "unrecognized" && k !== "os-metrics" && k !== "conf",
    );
    return { node, version: versions[node] ?? null, files: own.length, kinds: kinds.sort().join(", "), logs_from: first ?? null, logs_to: last ?? null };
  });
  const capabilityRows = (await capabilities(source)).filter((c) => c.helper !== "inventory");
  const unreadable = files.filter((f) => f.kind === "unreadable");
  const findings: Finding[] = [];
  for (const f of unreadable) {
    findings.push({
      severity: "warning",
      id: "inventory.unreadable-file",
      title: `${f.rel} could not be read and was skipped`,
      evidence: `${f.rel} (${f.size} bytes): ${f.note ?? "binary content"}`,
      action: "copy the file again from the node; the rest of the source is usable",
      node: f.node,
    });
  }
  // Helpers that read the same evidence (traces() and trace()) and lack it for the same reason: one finding naming both.
  const unanswerable = new Map<string, Capability[]>();
  for (const c of capabilityRows.filter((c) => !c.answerable)) {
    const key = `${c.reason}\u0000${c.missing}`;
    unanswerable.set(key, [...(unanswerable.get(key) ?? []), c]);
  }
  for (const group of unanswerable.values()) {
    const c = group[0];
    const names = group.map((g) => `${g.helper}()`);
    findings.push({
      severity: "info",
      id: "inventory.helper-unanswerable",
      title: `${names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)} have` : `${names[0]} has`} nothing to work from in this source`,
      evidence: c.reason ?? "none of the files it reads were found",
      action: `to answer ${names.length > 1 ? "them" : "it"}, ${c.missing?.startsWith("connect()") ? c.missing : `add ${c.missing}`}`,
      helper: c.helper,
    });
  }
  const kindCounts: Record<string, number> = {};
  for (const f of files) kindCounts[f.kind] = (kindCounts[f.kind] ?? 0) + 1;
  const summary: InventorySummary = {
    source: source.name,
    kind: source.kind,
    layout: source instanceof RecordedSource ? source.layout : "live",
    nodes: nodes.length,
    versions: [...new Set(Object.values(versions))].sort().join(", ") || null,
    files: files.length,
    unreadable: unreadable.length,
    logs_from: overallFirst ?? null,
    logs_to: overallLast ?? null,
    answerable: capabilityRows
      .filter((c) => c.answerable)
      .map((c) => c.helper)
      .join(", "),
    kinds: kindCounts,
  };
  const chartRows = files
    .filter((f) => f.kind !== "unrecognized" && f.kind !== "os-metrics" && f.kind !== "conf" && f.kind !== "manifest")
    .map((f) => ({ node: f.node || "(cluster)", kind: f.kind, mb: f.size / 2 ** 20 }));
  return makeReport({
    helper: "inventory",
    title: `${plural(nodes.length, "node")}, ${plural(files.length, "file")}`,
    source: source.describe(),
    summary,
    findings,
    frames: {
      nodes: {
        node: nodeRows.map((r) => r.node),
        version: nodeRows.map((r) => r.version),
        files: nodeRows.map((r) => r.files),
        kinds: nodeRows.map((r) => r.kinds),
        logs_from: nodeRows.map((r) => r.logs_from),
        logs_to: nodeRows.map((r) => r.logs_to),
      },
      files: {
        node: fileRows.map((r) => r.node),
        kind: fileRows.map((r) => r.kind),
        command: fileRows.map((r) => r.command),
        file: fileRows.map((r) => r.file),
        bytes: fileRows.map((r) => r.bytes),
        note: fileRows.map((r) => r.note),
      },
      capabilities: {
        helper: capabilityRows.map((r) => r.helper),
        answerable: capabilityRows.map((r) => r.answerable),
        from: capabilityRows.map((r) => r.from),
        missing: capabilityRows.map((r) => r.missing),
      },
    },
    charts: {
      files: () => ({
        title: "Files per node by kind (count)",
        width: 560,
        height: Math.max(80, 24 * Math.max(1, nodes.length)),
        data: { values: chartRows },
        mark: { type: "bar" },
        encoding: {
          y: { field: "node", type: "nominal", title: null },
          x: { aggregate: "count", type: "quantitative", title: "files" },
          color: { field: "kind", type: "nominal", title: "kind" },
          tooltip: [{ field: "node" }, { field: "kind" }, { aggregate: "count", title: "files" }],
        },
      }),
    },
    previewFrame: "nodes",
  }) as InventoryReport;
}
