/**
 * record(live, dir, what?): capture a live cluster into a cassperf dataset (DESIGN.md "Dataset
 * layout") that open() reads back, so a runbook written against the live cluster runs unchanged
 * against the recording.
 *
 * Captured: trace sessions and events (traces/sessions.jsonl, traces/events.jsonl), schema.cql,
 * nodetool outputs per node exactly as printed (nodes/<node>/nodetool/<command>), the nodes' logs
 * and GC logs when the live source knows where they are (nodes/<node>/logs/cassandra/), this
 * session's bench runs (bench/<run>.json, from ./bench-runs.ts), and any
 * extra files the caller hands over (e.g. a cassandra-stress output). The dataset is written into
 * a temporary sibling folder and renamed into place at the end, so a failed or interrupted
 * recording never leaves a half-written dataset. Nothing from the connection options (credentials,
 * TLS keys, nodetool command lines) is written.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Client } from "cassandra-driver";
import { CassperfError } from "../errors";
import { redactText } from "../redact";
import { NODETOOL_ALIASES } from "./classify";
import { LiveSource } from "./live";
import { liveBenchRuns, savedRunJSON } from "./bench-runs";
import type { DatasetManifest } from "./recorded";
import { schemaCql } from "./schema-cql";
import { eventRowFromDriver, sessionRowFromDriver } from "./trace-read";
import { timeuuidMicros, type TraceEventRow, type TraceSessionRow } from "../parse/trace-rows";

/** What to capture; every part is on by default. */
export interface RecordWhat {
  /** Replace `dir` when it already holds a cassperf dataset (or is empty). Default false: refuse. */
  overwrite?: boolean;
  /**
   * Trace sessions and events from system_traces. `{ limit }` keeps the most recent sessions.
   * Default true (all sessions).
   * @example record(live, "ds", { traces: { limit: 500 } })
   */
  traces?: boolean | { limit?: number };
  /** schema.cql of the user keyspaces (or `keyspaces`). Default true. */
  schema?: boolean;
  /** Keyspaces for schema.cql and per-table nodetool cfhistograms. Default: every non-system keyspace. */
  keyspaces?: string[];
  /**
   * nodetool commands to capture on every node, as nodetool names them. Default {@link NODETOOL_CAPTURE}.
   * Needs a live source that knows how to run nodetool; otherwise skipped with a note.
   */
  nodetool?: boolean | string[];
  /**
   * Copy system.log, debug.log and gc.log* of each node when the live source knows its log folder.
   * `maxBytesPerFile` keeps the first quarter and the last three quarters of a longer file, cut at
   * line boundaries, and the manifest says so. Default true, no limit.
   * @example record(live, "ds", { logs: { maxBytesPerFile: 512 * 1024 } })
   */
  logs?: boolean | { maxBytesPerFile?: number };
  /**
   * Bench runs made with bench() on this live source in this session, as bench/<run>.json with
   * their HdrHistograms. Default true.
   * @example await bench("writes", { duration: 10 }); await record(live, "before-compaction")
   */
  bench?: boolean;
  /**
   * Extra files to include, by path inside the dataset (`/`-separated), as text.
   * @example record(live, "ds", { files: { "stress/cassandra-stress-write.txt": stressOutput } })
   */
  files?: Record<string, string>;
  /** A sentence for the manifest: how and why this recording was made. */
  notes?: string;
}

/** What record() wrote. */
export interface RecordResult {
  /** The dataset folder (absolute). */
  dir: string;
  manifest: DatasetManifest;
  /** Parts that could not be captured, one sentence each (also in the manifest). */
  skipped: string[];
}

/** nodetool commands captured by default; cfhistograms runs per table where nodetool needs it (2.1). */
export const NODETOOL_CAPTURE = [
  "cfhistograms",
  "proxyhistograms",
  "cfstats",
  "tpstats",
  "compactionstats",
  "compactionhistory",
  "info",
  "status",
  "ring",
  "describecluster",
  "gcstats",
  "version",
];

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Every row of a query, page by page. */
async function allRows(client: Client, query: string): Promise<any[]> {
  const rows: any[] = [];
  let pageState: string | undefined;
  do {
    const r = await client.execute(query, [], { fetchSize: 1000, ...(pageState ? { pageState } : {}) });
    rows.push(...r.rows);
    pageState = r.pageState ?? undefined;
  } while (pageState);
  return rows;
}

/** Trace sessions and events of system_traces as dataset rows, oldest session first (rows as trace-read.ts maps them). */
export async function captureTraces(client: Client, limit?: number): Promise<{ sessions: TraceSessionRow[]; events: TraceEventRow[] }> {
  let sessions = (await allRows(client, "SELECT * FROM system_traces.sessions")).map(sessionRowFromDriver);
  sessions.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.session_id.localeCompare(b.session_id));
  if (limit !== undefined && sessions.length > limit) sessions = sessions.slice(sessions.length - limit);
  const order = new Map(sessions.map((s, i) => [s.session_id, i]));
  const events = (await allRows(client, "SELECT * FROM system_traces.events")).map(eventRowFromDriver).filter((e) => order.has(e.session_id));
  // Per session in the sessions' order; within a session, timeuuid time order (the table's clustering order).
  const t = (e: TraceEventRow) => timeuuidMicros(e.event_id) ?? 0;
  events.sort((a, b) => order.get(a.session_id)! - order.get(b.session_id)! || t(a) - t(b));
  return { sessions, events };
}

/** Longest line kept whole when a log is cut to size (2.1's tombstone warnings print every deleted cell: 100+ KB lines). */
export const MAX_LOG_LINE_BYTES = 4096;

/** What {@link copyLog} wrote: the copy's hash and size, and how the original was cut (when it was over the limit). */
export interface LogCopy {
  sha256: string;
  bytes: number;
  /** The original's size in bytes. */
  original: number;
  truncated: boolean;
  linesCut: number;
}

/**
 * Copy a log into a dataset 1 MiB at a time, its sha256 taken on the way: a live node's log may be many GB (readFileSync
 * stops at 2 GiB, and a whole-file buffer is that much memory). Over `max` bytes the log is fit into `max`: lines over
 * {@link MAX_LOG_LINE_BYTES} are cut (their start, which says what happened, is kept, followed by ` [cassperf: line cut, N
 * bytes]`), then the first quarter and the last three quarters are kept, cut at line boundaries. All found in one pass: long
 * lines are cut as they come (only their start is held); every line is
 * held while the cut text fits in `max`; past that, the head (whole lines ending by `max / 4`) is fixed and the tail is the
 * longest run of whole last lines under what is left, held as a queue. Memory: `max` bytes of lines and one read block.
 * @example copyLog("/var/log/cassandra/system.log", "ds/nodes/n1/logs/cassandra/system.log", 64 * 2 ** 20).truncated
 */
export function copyLog(src: string, dest: string, max?: number): LogCopy {
  const original = fs.statSync(src).size;
  const hash = crypto.createHash("sha256");
  const out = fs.openSync(dest, "w");
  let bytes = 0;
  const emit = (b: Buffer) => {
    if (!b.length) return;
    hash.update(b);
    fs.writeSync(out, b);
    bytes += b.length;
  };
  const block = Buffer.allocUnsafe(2 ** 20);
  const fd = fs.openSync(src, "r");
  try {
    if (max === undefined || original <= max) {
      // Fits: a plain copy (a log within the limit is kept as it is).
      for (let pos = 0; ; ) {
        const n = fs.readSync(fd, block, 0, block.length, pos);
        if (n === 0) break;
        emit(block.subarray(0, n));
        pos += n;
      }
      return { sha256: hash.digest("hex"), bytes, original, truncated: false, linesCut: 0 };
    }
    let linesCut = 0;
    // Cut lines held: all of them while they fit in max, else the tail's queue (lines[first..]).
    let lines: Buffer[] = [];
    let first = 0;
    let held = 0;
    let head: Buffer[] | undefined;
    let tailRoom = 0;
    const keep = (line: Buffer) => {
      lines.push(line);
      held += line.length;
      if (!head && held > max) {
        // Past the limit: the head is the whole lines whose "\n" lies at or before max / 4.
        head = [];
        let at = 0;
        while (first < lines.length && at + lines[first].length - 1 <= Math.floor(max / 4) && lines[first][lines[first].length - 1] === 10) {
          at += lines[first].length;
          head.push(lines[first++]);
        }
        held -= at;
        tailRoom = max - at - 1;
      }
      if (head)
        while (first < lines.length && held > tailRoom) {
          held -= lines[first].length;
          first++;
        }
      if (first > 1024 && first * 2 > lines.length) {
        lines = lines.slice(first);
        first = 0;
      }
    };
    // The line being read: its bytes while under the cut, then only its length.
    let part: Buffer[] = [];
    let partLen = 0;
    const endLine = (withNewline: boolean) => {
      const len = partLen + (withNewline ? 1 : 0);
      if (len === 0) return;
      const start = Buffer.concat(part, Math.min(partLen, MAX_LOG_LINE_BYTES));
      if (len > MAX_LOG_LINE_BYTES) {
        linesCut++;
        keep(Buffer.concat([start.subarray(0, MAX_LOG_LINE_BYTES), Buffer.from(` [cassperf: line cut, ${len} bytes]\n`)]));
      } else keep(withNewline ? Buffer.concat([start, NEWLINE]) : start);
      part = [];
      partLen = 0;
    };
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, block, 0, block.length, pos);
      if (n === 0) break;
      pos += n;
      let from = 0;
      while (from < n) {
        const nl = block.indexOf(10, from);
        const end = nl < 0 || nl >= n ? n : nl;
        if (partLen < MAX_LOG_LINE_BYTES) part.push(Buffer.from(block.subarray(from, Math.min(end, from + MAX_LOG_LINE_BYTES - partLen))));
        partLen += end - from;
        if (end === n) break;
        endLine(true);
        from = end + 1;
      }
    }
    endLine(false);
    for (const b of head ?? []) emit(b);
    for (let i = first; i < lines.length; i++) emit(lines[i]);
    return { sha256: hash.digest("hex"), bytes, original, truncated: true, linesCut };
  } finally {
    fs.closeSync(fd);
    fs.closeSync(out);
  }
}

const NEWLINE = Buffer.from("\n");

/** One line for a failed nodetool call, without the JVM command line, passwords redacted (the manifest is shared). */
function shortError(e: unknown): string {
  const err = e as Error & { cause?: { code?: unknown } };
  const first = err.message.split("\n")[0];
  return redactText(
    first.includes("Command failed:")
      ? `${first.split("Command failed:")[0]}exited with code ${err.cause?.code ?? "?"} (not available in this nodetool?)`
      : first,
  );
}

/** nodetool outputs of one node: file name -> text; failures go to `skipped`. */
async function captureNodetool(
  live: LiveSource,
  node: string,
  commands: string[],
  tables: { keyspace: string; table: string }[],
  skipped: string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // 4.0+ nodetool dropped the cf* names (5.0: "Found unexpected parameters: [cfhistograms, ...]"): use table* there.
  const modern = Number(/^(\d+)/.exec(live.versions()[node] ?? "")?.[1] ?? 0) >= 4;
  for (const cmd of commands.map((c) => (modern ? (NODETOOL_ALIASES[c] ?? c) : c))) {
    try {
      const text = (await live.nodetool(node, [cmd])).text;
      if (cmd === "cfhistograms" && /requires ks and cf args/.test(text)) throw new Error("needs ks and cf");
      out[cmd] = text;
    } catch (e) {
      if ((cmd === "cfhistograms" || cmd === "tablehistograms") && tables.length) {
        // nodetool 2.1 prints one table per call: run it per table and concatenate, as later versions print all tables.
        const parts: string[] = [];
        for (const t of tables) {
          try {
            parts.push((await live.nodetool(node, [cmd, t.keyspace, t.table])).text);
          } catch (e2) {
            skipped.push(`nodetool ${cmd} ${t.keyspace} ${t.table} on ${node}: ${shortError(e2)}`);
          }
        }
        if (parts.length) out[cmd] = parts.map((p) => p.replace(/\n*$/, "\n")).join("\n");
      } else skipped.push(shortError(e));
    }
  }
  return out;
}

/** A path inside the dataset from a caller-given name: relative, no `..`. */
function safeRel(rel: string): string {
  const norm = path.posix.normalize(rel.replace(/\\/g, "/"));
  if (norm.startsWith("/") || norm.startsWith("..") || norm === "." || norm === "cassperf.json") {
    throw new CassperfError(`record: extra file name ${JSON.stringify(rel)} must be a relative path inside the dataset (no "..", not cassperf.json).`);
  }
  return norm;
}

/**
 * Record a live cluster into a dataset folder.
 * @example const live = await connect({ contactPoints: ["127.0.0.1"] }); await record(live, "datasets/incident-1")
 * @example await record(live, "ds", { overwrite: true, traces: { limit: 200 }, logs: { maxBytesPerFile: 1 << 20 } })
 */
export async function record(live: LiveSource, dir: string, what: RecordWhat = {}): Promise<RecordResult> {
  if (!(live instanceof LiveSource)) {
    throw new CassperfError(
      `record: expected a live source from connect() or lab.start() as the first argument; got ${live === null ? "null" : typeof live === "object" ? `a ${(live as { kind?: string }).kind ?? "non-source"} source` : typeof live}.`,
      { hint: "recordings are made from live clusters: const live = await connect({...}); await record(live, dir)" },
    );
  }
  if (typeof dir !== "string" || dir.trim() === "") throw new CassperfError("record: expected the dataset folder (a path string) as the second argument.");
  const target = path.resolve(dir);
  const refuseExisting = () => {
    if (!fs.existsSync(target)) return;
    const entries = fs.readdirSync(target);
    if (!what.overwrite)
      throw new CassperfError(`record: ${dir} already exists; refusing to write over it.`, {
        hint: "choose a new folder, or pass { overwrite: true } to replace a dataset",
      });
    if (entries.length && !entries.includes("cassperf.json"))
      throw new CassperfError(`record: ${dir} exists and is not a cassperf dataset (no cassperf.json); overwrite only replaces datasets.`, {
        hint: "choose a new folder",
      });
  };
  refuseExisting();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.recording-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; a dataset is meant to be shared
  const skipped: string[] = [];
  const captured: string[] = [];
  const truncated: Record<string, { original_bytes: number; kept_bytes: number; long_lines_cut?: number }> = {};
  // Every file of the dataset is written here, so its hash and size are taken while the data is in memory.
  const written = new Map<string, { sha256: string; bytes: number }>();
  const write = (rel: string, data: string | Buffer) => {
    const abs = path.join(tmp, ...rel.split("/"));
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, buf);
    written.set(path.relative(tmp, abs).split(path.sep).join("/"), { sha256: crypto.createHash("sha256").update(buf).digest("hex"), bytes: buf.length });
  };
  try {
    const client = live.client;
    const nodes = live.nodes();

    let tables: { keyspace: string; table: string }[] = [];
    if (what.schema !== false) {
      const s = await schemaCql(client, what.keyspaces);
      write("schema.cql", s.text);
      tables = s.tables;
      captured.push("schema");
    } else if (what.keyspaces) {
      tables = (await schemaCql(client, what.keyspaces)).tables;
    }

    if (what.traces !== false) {
      const limit = typeof what.traces === "object" ? what.traces.limit : undefined;
      const t = await captureTraces(client, limit);
      write("traces/sessions.jsonl", t.sessions.map((r) => JSON.stringify(r)).join("\n") + (t.sessions.length ? "\n" : ""));
      write("traces/events.jsonl", t.events.map((r) => JSON.stringify(r)).join("\n") + (t.events.length ? "\n" : ""));
      captured.push("traces");
    }

    if (what.nodetool !== false) {
      if (!live.hasNodetool()) skipped.push("nodetool: the live source was not told how to run nodetool (connect({ nodetool: ... }))");
      else {
        const commands = Array.isArray(what.nodetool) ? what.nodetool : NODETOOL_CAPTURE;
        const perNode = await Promise.all(nodes.map((n) => captureNodetool(live, n, commands, tables, skipped)));
        nodes.forEach((n, i) => {
          for (const [cmd, text] of Object.entries(perNode[i])) write(`nodes/${n}/nodetool/${cmd}`, text);
        });
        if (perNode.some((p) => Object.keys(p).length)) captured.push("nodetool");
      }
    }

    if (what.logs !== false) {
      const max = typeof what.logs === "object" ? what.logs.maxBytesPerFile : undefined;
      const files = live.files({ kind: ["system-log", "debug-log", "gc-log"] });
      if (files.length === 0) skipped.push("logs: the live source knows no log folders (connect({ logs: { host: folder } }))");
      for (const f of files) {
        const rel = `nodes/${f.node}/logs/cassandra/${path.basename(f.path)}`;
        const size = fs.statSync(f.path).size;
        if (max !== undefined && size > max && f.compressed) {
          skipped.push(`${rel}: ${size} bytes compressed, over the ${max}-byte limit`);
          continue;
        }
        // Copied block by block, never read whole (a live node's log may be many GB).
        const abs = path.join(tmp, ...rel.split("/"));
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        const copied = copyLog(f.path, abs, f.compressed ? undefined : max);
        written.set(rel, { sha256: copied.sha256, bytes: copied.bytes });
        if (copied.truncated)
          truncated[rel] = { original_bytes: copied.original, kept_bytes: copied.bytes, ...(copied.linesCut ? { long_lines_cut: copied.linesCut } : {}) };
      }
      if (files.some((f) => f.kind === "gc-log")) captured.push("gc-logs");
      if (files.some((f) => f.kind !== "gc-log")) captured.push("logs");
    }

    // Bench runs made on this live source in this session, with their HdrHistograms (readBenchRun reads them back).
    if (what.bench !== false) {
      const runs = liveBenchRuns(live);
      for (const run of runs)
        write(
          `bench/${String((run as { id?: string }).id ?? `run-${runs.indexOf(run) + 1}`).replace(/[^\w.-]+/g, "_")}.json`,
          JSON.stringify(savedRunJSON(run), null, 1),
        );
      if (runs.length) captured.push("bench");
    }

    for (const [rel, text] of Object.entries(what.files ?? {})) write(safeRel(rel), text);
    if (Object.keys(what.files ?? {}).some((r) => /stress/.test(r))) captured.push("stress");

    const fileHashes: Record<string, { sha256: string; bytes: number }> = {};
    for (const rel of [...written.keys()].sort()) fileHashes[rel] = written.get(rel)!;
    let clusterName: string | undefined;
    try {
      clusterName = str((await client.execute("SELECT cluster_name FROM system.local")).rows[0]?.cluster_name) ?? undefined;
    } catch {
      /* not fatal */
    }
    const truncNote = Object.keys(truncated).length
      ? ` Logs longer than ${typeof what.logs === "object" ? what.logs.maxBytesPerFile : "?"} bytes were cut to size: lines over ${MAX_LOG_LINE_BYTES} bytes keep their first 4 KB followed by " [cassperf: line cut, N bytes]", then the first quarter and the last three quarters of the file are kept, cut at line boundaries: ${Object.entries(
          truncated,
        )
          .map(([r, t]) => `${r} (${t.kept_bytes} of ${t.original_bytes} bytes${t.long_lines_cut ? `, ${t.long_lines_cut} long lines cut` : ""})`)
          .join(", ")}.`
      : "";
    const manifest: DatasetManifest = {
      format: "cassperf-dataset",
      version: 1,
      ...(clusterName ? { cluster_name: clusterName } : {}),
      cassandra_versions: live.versions(),
      captured_at: new Date().toISOString(),
      nodes,
      captured,
      files: fileHashes,
      notes: `${what.notes ? `${what.notes.trim()} ` : ""}Recorded by cassperf record().${truncNote}`.trim(),
      ...(Object.keys(truncated).length ? { truncated } : {}),
      ...(skipped.length ? { skipped } : {}),
    };
    write("cassperf.json", JSON.stringify(manifest, null, 2) + "\n");

    // Swap into place: the old dataset (overwrite) moves aside first and is removed after the rename.
    refuseExisting();
    let aside: string | undefined;
    if (fs.existsSync(target)) {
      aside = `${tmp}.old`;
      fs.renameSync(target, aside);
    }
    fs.renameSync(tmp, target);
    if (aside) fs.rmSync(aside, { recursive: true, force: true });
    return { dir: target, manifest, skipped };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
