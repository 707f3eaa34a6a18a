// REFERENCE COPY, not product code: src/parse/log-rules.ts as it was at commit 5edc04f (before issue #24's parse-speed work), kept
// verbatim (imports aside) so tests can check the faster parser gives the same events as this one (test/system-log-reference.test.ts).
/**
 * The line rules: what a Cassandra/DSE log message means. ONE table, like sperf's
 * pysper/parser/cases.py: each rule names the event kind, a cheap substring that must be present,
 * the regular expression and the numbers it carries. Messages from Cassandra 2.0 to 5.0 and DSE
 * 6.x; rules are tried in order and the first match wins, so specific rules come first.
 *
 * Rules with a `block` open a multi-line block: the lines after the event that carry no log
 * prefix are read by that block's row rules (StatusLogger tables in the DSE dialects, the queries
 * listed under "N operations were slow"). Pure data and small helpers, no I/O.
 */

/** What an event is about. */
export type LogEventKind =
  | "gc-pause"
  | "statuslogger-pool"
  | "statuslogger-table"
  | "dropped-messages"
  | "flush"
  | "compaction"
  | "large-partition"
  | "tombstone-warning"
  | "tombstone-failure"
  | "slow-query"
  | "timed-out-query"
  | "startup"
  | "shutdown"
  | "exception"
  | "other";

/** Every kind, in the order reports list them. */
export const LOG_EVENT_KINDS: LogEventKind[] = [
  "gc-pause",
  "statuslogger-pool",
  "statuslogger-table",
  "dropped-messages",
  "flush",
  "compaction",
  "large-partition",
  "tombstone-warning",
  "tombstone-failure",
  "slow-query",
  "timed-out-query",
  "startup",
  "shutdown",
  "exception",
  "other",
];

/** One parsed event. Numbers are present only on the kinds that carry them. */
export interface LogEvent {
  node: string;
  /** Epoch milliseconds (log times read as UTC), or null when the line had no usable date. */
  ts: number | null;
  level: string;
  thread: string | null;
  /** Source file:line of the logging call, e.g. "GCInspector.java:284"; null when the layout has none. */
  source: string | null;
  kind: LogEventKind;
  /** The message's first line (block rows: the row itself). */
  message: string;
  /** File the event came from (the source's relative path). */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  /** Rule that classified it (e.g. "gc.pause"), or "" for other. */
  rule: string;
  /** Lines attached to this event (stack traces, unknown continuation lines). */
  extra_lines?: number;
  /** First exception class in an attached stack trace. */
  exception?: string;
  /** gc-pause: collector/generation as logged ("G1 Young Generation", "ParNew"). */
  gc?: string;
  pause_ms?: number;
  /** statuslogger-pool: thread pool; dropped-messages: the message type (MUTATION, READ, ...). */
  pool?: string;
  active?: number | null;
  pending?: number | null;
  blocked?: number | null;
  all_time_blocked?: number | null;
  completed?: number | null;
  dropped?: number;
  /** flush: bytes written (or enqueued); compaction: bytes after; statuslogger-table: memtable data bytes. */
  bytes?: number;
  /** flush and compaction: "enqueue" | "write" | "complete" | "start" | "end". */
  phase?: string;
  /** compaction: the operation's id when the line carries one (`Compacting (uuid) [...]`, 3.0+), to pair its start and end. */
  operation?: string;
  keyspace?: string;
  table?: string;
  partition_key?: string;
  partition_bytes?: number;
  live_rows?: number;
  tombstones?: number;
  query?: string;
  /** slow-query and timed-out-query: the query's time (max when grouped). */
  duration_ms?: number;
  /** slow-query and timed-out-query: how many times it was slow / timed out in the window. */
  times?: number;
  /** statuslogger-table: memtable operations. */
  ops?: number;
  /** statuslogger-pool/-table: line of the dump's header (rows of one StatusLogger dump share it). */
  dump?: number;
  /** startup: the address the node announced (listen/native), for clock checks. */
  address?: string;
  /** Gossip events about a peer (InetAddress /x is now UP/DOWN): the peer's address. */
  peer?: string;
}

/** Fields a rule extracts. */
export type EventFields = Partial<Omit<LogEvent, "node" | "ts" | "level" | "thread" | "source" | "file" | "line">>;

/** Which block reader handles the prefix-less lines after an event. */
export type BlockKind = "statuslogger" | "slow-queries" | "timed-out-queries";

/** A line rule. */
export interface LineRule {
  /** Stable id, e.g. "gc.pause". */
  id: string;
  kind: LogEventKind;
  /** Which versions log it, with an example. */
  what: string;
  /** A substring the message must contain (fast pre-filter before the regex). */
  contains: string;
  re: RegExp;
  fields?: (m: RegExpExecArray) => EventFields;
  /** Prefix-less lines after this event are rows of this block. */
  block?: BlockKind;
  /** Source files that log it (checked when the layout has %F; console layouts have none). */
  sources?: string[];
}

/** Bytes from "853", "5,123 bytes", "5.482KiB", "94.273MiB", "1.2 GB". */
export function parseSize(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^([\d,]*\.?\d+)\s*(bytes|B|KiB|KB|kB|MiB|MB|GiB|GB|TiB|TB)?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1].replace(/,/g, ""));
  const unit = (m[2] ?? "B").toUpperCase().replace("IB", "B");
  const mult = unit === "KB" ? 1024 : unit === "MB" ? 1024 ** 2 : unit === "GB" ? 1024 ** 3 : unit === "TB" ? 1024 ** 4 : 1;
  return Math.round(n * mult);
}

/** Keyspace and table from an sstable path: .../data/<ks>/<table>-<uuid>/<file>. */
export function tableFromPath(path: string): { keyspace?: string; table?: string } {
  const parts = path.split("/").filter(Boolean);
  if (parts.length < 3) return {};
  const dir = parts[parts.length - 2];
  const ks = parts[parts.length - 3];
  const table = dir.replace(/-[0-9a-f]{32}$/, "");
  return { keyspace: ks, table };
}

/** "ks.table" or "ks/table" (maybe with quotes) to its parts. */
function splitName(name: string): { keyspace?: string; table?: string } {
  const clean = name.replace(/["']/g, "");
  const i = clean.search(/[./]/);
  return i < 0 ? { table: clean } : { keyspace: clean.slice(0, i), table: clean.slice(i + 1) };
}

/** Keyspace and table of a CQL query's FROM clause. */
export function tableFromQuery(q: string): { keyspace?: string; table?: string } {
  const m = /\bFROM\s+("?[\w]+"?(?:\."?[\w]+"?)?)/i.exec(q);
  return m ? splitName(m[1]) : {};
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s.replace(/,/g, "")));

/**
 * THE rule table for message lines. Order matters (first match wins).
 * Anchors: sperf pysper/parser/cases.py (gc, memtable, cfs, status rules), sperf
 * core/slowquery.py and core/droppedmessages.py, and the log calls in Cassandra's source.
 */
export const LINE_RULES: LineRule[] = [
  // --- GC (GCInspector) ---
  {
    id: "gc.pause",
    kind: "gc-pause",
    contains: "GC in ",
    what: "2.1+/DSE: `G1 Young Generation GC in 436ms.  G1 Old Gen: ...`, `ParNew GC in 245ms.  CMS Old Gen: ...`",
    re: /^(.+?) GC in (\d+)ms\./,
    sources: ["GCInspector.java"],
    fields: (m) => ({ gc: m[1].trim(), pause_ms: Number(m[2]) }),
  },
  {
    id: "gc.pause-2.0",
    kind: "gc-pause",
    contains: "GC for ",
    what: "2.0: `GC for ParNew: 245 ms for 1 collections, 123 used; max is 456`",
    re: /^GC for (\w+): (\d+) ms for \d+ collections/,
    sources: ["GCInspector.java"],
    fields: (m) => ({ gc: m[1], pause_ms: Number(m[2]) }),
  },
  // --- StatusLogger ---
  {
    id: "statuslogger.table-row",
    kind: "statuslogger-table",
    contains: ",",
    what: "2.x/3.x one-line rows: `StatusLogger.java:121 - system.local  58,197` (ops,data)",
    re: /^([\w-]+)\.([\w-]+)\s+(\d+),(\d+)$/,
    sources: ["StatusLogger.java"],
    fields: (m) => ({ keyspace: m[1], table: m[2], ops: Number(m[3]), bytes: Number(m[4]) }),
  },
  {
    id: "statuslogger.pool-row",
    kind: "statuslogger-pool",
    contains: " ",
    what: "2.x/3.x one-line rows: `StatusLogger.java:66 - MutationStage  4  0  2383662788  0  0`",
    re: /^([A-Za-z][\w/#-]*)\s+(\d+|n\/a|N\/A)\s+(\d+|N\/A)(?:\/(\d+))?(?:\s+(\d+)\s+(\d+)\s+(\d+))?$/,
    sources: ["StatusLogger.java"],
    fields: (m) => ({ pool: m[1], active: nn(m[2]), pending: nn(m[3]), completed: nn(m[5]), blocked: nn(m[6]), all_time_blocked: nn(m[7]) }),
  },
  {
    id: "statuslogger.header",
    kind: "other",
    contains: "",
    what: "DSE 6.x/4.0: `StatusLogger.java:174 - ` with the tables on the following unprefixed lines; 2.x: `Pool Name  Active ...`",
    re: /^(?:Pool Name\b.*)?$/,
    sources: ["StatusLogger.java"],
    block: "statuslogger",
  },
  // --- dropped messages ---
  {
    id: "dropped.3x",
    kind: "dropped-messages",
    contains: "messages were dropped",
    what: "2.2+/DSE: `READ messages were dropped in last 5000 ms: 12 internal and 3 cross node` / `... 3 for internal timeout and 0 for cross node timeout`",
    re: /^([A-Z][A-Z0-9_]*) messages were dropped in (?:the )?last [^:]*: (\d+) (?:for )?internal(?: timeout)? and (\d+) (?:for )?cross[ -]node/,
    fields: (m) => ({ pool: m[1], dropped: Number(m[2]) + Number(m[3]) }),
  },
  {
    id: "dropped.2x",
    kind: "dropped-messages",
    contains: "messages dropped in last",
    what: "2.0/2.1: `12 MUTATION messages dropped in last 5000ms`",
    re: /^(\d+) ([A-Z][A-Z0-9_]*) messages dropped in last/,
    fields: (m) => ({ pool: m[2], dropped: Number(m[1]) }),
  },
  // --- flushes ---
  {
    id: "flush.enqueue-2.0",
    kind: "flush",
    contains: "Enqueuing flush of Memtable-",
    what: "2.0: `Enqueuing flush of Memtable-users@123(4567/8910 serialized/live bytes, 12 ops)`",
    re: /^Enqueuing flush of Memtable-([^@]+)@\d+\((\d+)\/\d+ serialized\/live bytes/,
    fields: (m) => ({ phase: "enqueue", ...splitName(m[1]), bytes: Number(m[2]) }),
  },
  {
    id: "flush.enqueue",
    kind: "flush",
    contains: "Enqueuing flush of ",
    what: "2.1+/DSE/4.x: `Enqueuing flush of schema_keyspaces: 516 (0%) on-heap, 0 (0%) off-heap`, `Enqueuing flush of columns reason SCHEMA_CHANGE: 69.230KiB (0%) on-heap, ...`",
    re: /^Enqueuing flush of ([\w.-]+)[^:]*?:? ?(?:.*?Usage: )?([\d.,]+ ?(?:[KMGT]i?B|B|bytes)?) \(\d+%\) on-heap, ([\d.,]+ ?(?:[KMGT]i?B|B|bytes)?) \(\d+%\) off-heap/,
    fields: (m) => ({ phase: "enqueue", ...splitName(m[1]), bytes: (parseSize(m[2]) ?? 0) + (parseSize(m[3]) ?? 0) }),
  },
  {
    id: "flush.write",
    kind: "flush",
    contains: "Writing Memtable-",
    what: "2.0+: `Writing Memtable-standard1@915913879(28.597MiB serialized bytes, 110651 ops, 8%/7% of on/off-heap limit)`",
    re: /^Writing Memtable-([^@]+)@\d+\(([\d.,]+ ?(?:[KMGT]i?B|B)?)(?:\/\d+)? (?:serialized bytes|serialized\/live bytes)/,
    fields: (m) => ({ phase: "write", ...splitName(m[1]), bytes: parseSize(m[2]) }),
  },
  {
    id: "flush.complete",
    kind: "flush",
    contains: "Completed flushing",
    what: "2.0+: `Completed flushing /data/ks/tbl-<id>/ks-tbl-ka-1-Data.db (3.5KiB) for commitlog position ...`",
    re: /^Completed flushing (?:(\S+) \(([\d.,]+ ?(?:[KMGT]i?B|B|bytes)?)\)|;)/,
    fields: (m) => ({ phase: "complete", ...(m[1] ? tableFromPath(m[1]) : {}), bytes: parseSize(m[2]) }),
  },
  // --- compactions ---
  {
    id: "compaction.start",
    kind: "compaction",
    contains: "Compacting",
    what: "2.x–4.x: `Compacting [SSTableReader(path='/data/ks/tbl-<id>/...-Data.db'), ...]`, `Compacting (uuid) [/data/ks/tbl-<id>/nb-1-big-Data.db:level=0, ...]`",
    re: /^Compacting(?: \(([\w-]+)\))? \[(?:SSTableReader\(path=')?([^',:\]]+)/,
    fields: (m) => ({ phase: "start", operation: m[1], ...tableFromPath(m[2]) }),
  },
  {
    id: "compaction.end",
    kind: "compaction",
    contains: "Compacted",
    what: "2.x–4.x: `Compacted 4 sstables to [/data/ks/tbl-<id>/ks-tbl-ka-49,].  853 bytes to 195 (~22% of original) in 10ms`, `Compacted (uuid) 4 sstables to [...] to level=0. 5.482KiB to 4.343KiB (~79% of original) in 154ms`",
    re: /^Compacted(?: \(([\w-]+)\))? \d+ sstables to \[([^,\]]*)[^\]]*\](?: to level=\d+)?\.\s+([\d.,]+ ?(?:[KMGT]i?B|B|bytes)?) to ([\d.,]+ ?(?:[KMGT]i?B|B|bytes)?) \(~?\d+% of original\) in ([\d,]+)ms/,
    fields: (m) => ({ phase: "end", operation: m[1], ...tableFromPath(m[2]), bytes: parseSize(m[4]), duration_ms: num(m[5]) }),
  },
  // --- large partitions ---
  {
    id: "partition.large",
    kind: "large-partition",
    contains: "large partition",
    what: "2.1/2.2: `Compacting large partition ks/tbl:key (123456789 bytes)`; 3.x/4.x: `Writing large partition ks/tbl:key (159.415MiB)` (4.x adds ` to sstable ...`)",
    re: /^(?:Compacting|Writing) large (?:row|partition) ([^/:\s]+)[/.]([^:\s]+):(.*?) \(([\d.,]+ ?(?:[KMGT]i?B|bytes)?)\)/,
    fields: (m) => ({ keyspace: m[1], table: m[2], partition_key: m[3], partition_bytes: parseSize(m[4]) }),
  },
  {
    id: "partition.large-4.1",
    kind: "large-partition",
    contains: "Detected partition",
    what: "4.1+/5.0 guardrail: `Detected partition 'key' in ks.tbl of size 120MiB is greater than the maximum recommended size (100MiB)`",
    re: /^Detected partition '?(.*?)'? in ([\w-]+)\.([\w-]+) of size ([\d.,]+ ?(?:[KMGT]i?B|bytes)?)/,
    fields: (m) => ({ partition_key: m[1], keyspace: m[2], table: m[3], partition_bytes: parseSize(m[4]) }),
  },
  // --- tombstones ---
  {
    id: "tombstone.failure",
    kind: "tombstone-failure",
    contains: "tombstones during query",
    what: "2.x–4.x: `Scanned over 100001 tombstones during query 'SELECT ... FROM ks.tbl ...' (last scanned row partion key was ((k), ...)); query aborted`",
    re: /^Scanned over (\d+) tombstones? during query '(.*)' \((?:last scanned row (?:token was .*? and )?partion key was \((.*?)\)|.*?)\)?;? ?query aborted/,
    fields: (m) => ({ tombstones: Number(m[1]), query: m[2], ...tableFromQuery(m[2]), partition_key: m[3] }),
  },
  {
    id: "tombstone.failure-2.0",
    kind: "tombstone-failure",
    contains: "tombstones in ",
    what: "2.0/2.1: `Scanned over 100000 tombstones in ks.tbl; query aborted (see tombstone_failure_threshold)`",
    re: /^Scanned over (\d+) tombstones in ([\w-]+)\.([\w-]+); query aborted/,
    fields: (m) => ({ tombstones: Number(m[1]), keyspace: m[2], table: m[3] }),
  },
  {
    id: "tombstone.warning",
    kind: "tombstone-warning",
    contains: "tombstone",
    what: "3.0+: `Read 1000 live rows and 5240 tombstone cells for query SELECT * FROM ks.tbl WHERE ... (see tombstone_warn_threshold)`",
    re: /^Read (\d+) live rows and (\d+) tombstone cells for query (.*?)(?:; token [^(]*)? \(see tombstone_warn_threshold\)/,
    fields: (m) => ({
      live_rows: Number(m[1]),
      tombstones: Number(m[2]),
      query: m[3],
      ...tableFromQuery(m[3]),
      partition_key: /\bWHERE\s+(.*?)(?:\s+(?:AND|LIMIT|ORDER|ALLOW)\b|$)/i.exec(m[3])?.[1],
    }),
  },
  {
    id: "tombstone.warning-2.x",
    kind: "tombstone-warning",
    contains: "tombstone",
    what: "2.0–2.2: `Read 0 live and 1270 tombstone cells in ks.tbl for key: k (see tombstone_warn_threshold)`",
    re: /^Read (\d+) live (?:cells )?and (\d+) tombstone(?:d)? cells in ([\w-]+)\.([\w-]+)(?: for key: (.*?))? \(see tombstone_warn_threshold\)/,
    fields: (m) => ({ live_rows: Number(m[1]), tombstones: Number(m[2]), keyspace: m[3], table: m[4], partition_key: m[5] }),
  },
  // --- slow and timed-out queries (debug.log, MonitoringTask) ---
  {
    id: "query.slow-header",
    kind: "other",
    contains: "operations were slow in the last",
    what: "3.10+/DSE debug.log: `2 operations were slow in the last 5074 msecs:` followed by one query per line",
    re: /^\d+ operations were slow in the last \d+ msecs:/,
    block: "slow-queries",
  },
  {
    id: "query.timed-out-header",
    kind: "other",
    contains: "operations timed out in the last",
    what: "3.10+/DSE debug.log: `1 operations timed out in the last 5074 msecs:` followed by one query per line",
    re: /^\d+ operations timed out in the last \d+ msecs:/,
    block: "timed-out-queries",
  },
  // --- startup and shutdown ---
  {
    id: "node.startup",
    kind: "startup",
    contains: "Starting listening for CQL clients",
    what: "2.1–5.0/DSE: `Starting listening for CQL clients on /127.0.0.1:9042 (unencrypted)...` (once per start, when the node serves clients)",
    re: /^Starting listening for CQL clients(?: on (?:[\w.-]*\/)?(\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-f:]+\]?))?/,
    fields: (m) => (m[1] ? { address: m[1] } : {}),
  },
  {
    id: "node.shutdown",
    kind: "shutdown",
    contains: "Announcing shutdown",
    what: "2.0–5.0: `Announcing shutdown` (Gossiper, on drain or stop)",
    re: /^Announcing shutdown/,
  },
  {
    id: "node.drained",
    kind: "shutdown",
    contains: "DRAINED",
    what: "2.0–5.0: `Node /10.0.0.1 state jump to DRAINED` (nodetool drain)",
    re: /state jump to DRAINED/i,
  },
];

/**
 * Rules that do not make an event kind of their own but record facts the clock check needs
 * (gossip views of peers, the node's own address). Applied to "other" events only.
 */
export const FACT_RULES: { id: string; contains: string; re: RegExp; fields: (m: RegExpExecArray) => EventFields }[] = [
  { id: "gossip.peer-up", contains: "is now UP", re: /^InetAddress (?:[\w.-]*\/)?([\d.:a-f]+) is now UP/, fields: (m) => ({ peer: m[1], phase: "up" }) },
  {
    id: "gossip.peer-down",
    contains: "is now DOWN",
    re: /^InetAddress (?:[\w.-]*\/)?([\d.:a-f]+) is now DOWN/,
    fields: (m) => ({ peer: m[1], phase: "down" }),
  },
  {
    id: "node.messaging-start",
    contains: "Starting Messaging Service",
    re: /^Starting Messaging Service on (?:(?:[\w.-]*\/)?(\d{1,3}(?:\.\d{1,3}){3}):)?(?:port )?\d+/,
    fields: (m) => ({ phase: "messaging-start", ...(m[1] ? { address: m[1] } : {}) }),
  },
  { id: "node.listen-address", contains: "listen_address=", re: /listen_address=([\d.:a-f]+)/, fields: (m) => ({ address: m[1] }) },
];

/**
 * The first check of every message, built FROM the two tables above (they stay the one truth): a
 * rule can only match a message that contains its `contains` text and, when its regex starts with
 * `^` and literal text ({@link literalStart}), that starts with that text. One regex of those
 * texts (every `contains` of {@link GATE_MIN_CONTAINS} characters or more, each replaced by its
 * rule's literal start when it has one) says whether any such rule can match. A message it rejects
 * (most lines: "other") is tried only against the rules whose `contains` is shorter (the
 * StatusLogger one-line rows and header, kept for their `sources`). Measured on the 583 messages of
 * bench:logs' templates (test/fixtures/logs-stream, cassandra21-lab-statuslogger; 478 rejected):
 * 0.28 ms of CPU per pass for a gate of the `contains` texts against 1.04 ms for one substring
 * search per rule (node 20); anchoring the literal starts took the whole parse from 1.52 to 1.32 ms.
 */
export const GATE_MIN_CONTAINS = 2;

/** True when a rule's `contains` is part of {@link RULE_GATE} (a message without it skips the rule). */
export const gated = (r: { contains: string }): boolean => r.contains.length >= GATE_MIN_CONTAINS;

const escapeLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The text every match of `re` starts the input with, read from its source when the regex says so
 * plainly: no flags (`i`, `m`, `s`, `u`, `v` change what `^` or a letter means), no `|` outside a
 * group, `^` then letters, digits, spaces and `_-'=,:` or an escaped `/.-()[]`. A character the next
 * `?`, `*` or `{` makes optional is left out. Undefined when there is no such text of
 * {@link GATE_MIN_CONTAINS} characters or more.
 * @example literalStart(/^Enqueuing flush of ([\w.-]+)/)  // "Enqueuing flush of "
 */
export function literalStart(re: RegExp): string | undefined {
  const src = re.source;
  if (re.flags !== "" || !src.startsWith("^")) return undefined;
  // A `|` outside every group and class would let another branch match anywhere.
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) return undefined;
  }
  let out = "";
  for (let i = 1; i < src.length; i++) {
    const c = src[i];
    if (/[A-Za-z0-9 _\-'=,:]/.test(c)) out += c;
    else if (c === "\\" && /[/.\-()[\]]/.test(src[i + 1] ?? "")) out += src[++i];
    else {
      if (c === "?" || c === "*" || c === "{") out = out.slice(0, -1);
      break;
    }
  }
  return out.length >= GATE_MIN_CONTAINS ? out : undefined;
}

/** The gate's alternatives: literal starts (anchored), then `contains` texts (anywhere). */
const gateParts = (rules: { contains: string; re: RegExp }[]) => {
  const starts = new Set<string>();
  const anywhere = new Set<string>();
  for (const r of rules.filter(gated)) {
    const start = literalStart(r.re);
    if (start !== undefined) starts.add(escapeLiteral(start));
    else anywhere.add(escapeLiteral(r.contains));
  }
  return [...(starts.size ? [`^(?:${[...starts].join("|")})`] : []), ...anywhere];
};

/** Matches a message that a gated rule of LINE_RULES or FACT_RULES could match (its literal start, else its `contains` text). */
export const RULE_GATE = new RegExp(gateParts([...LINE_RULES, ...FACT_RULES]).join("|"));

function nn(s: string | undefined): number | null | undefined {
  if (s === undefined) return undefined;
  return /^\d+$/.test(s) ? Number(s) : null;
}

/**
 * Row rules for prefix-less lines inside a StatusLogger block, the three dialects (sperf
 * cases.py status_rules): DSE 6.8 (9 columns with Backpressure/Delayed/Shared/Stolen), DSE 6.0–6.7
 * "new" (`Pending (w/Backpressure)`), and the old Active/Pending/Completed/Blocked/All Time Blocked
 * (also `CompactionManager 2 3` and `MessagingService n/a 0/0`). Table rows: `ks.table  ops,data`.
 */
export const STATUS_ROW_RULES: { id: string; kind: LogEventKind; re: RegExp; fields: (m: RegExpExecArray) => EventFields }[] = [
  {
    id: "statuslogger.table",
    kind: "statuslogger-table",
    re: /^([\w-]+)\.([\w-]+)\s+(\d+),(\d+)$/,
    fields: (m) => ({ keyspace: m[1], table: m[2], ops: Number(m[3]), bytes: Number(m[4]) }),
  },
  {
    id: "statuslogger.pool-6.8",
    kind: "statuslogger-pool",
    re: /^([A-Za-z][\w/#-]*)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)$/,
    fields: (m) => ({ pool: m[1], active: nn(m[2]), pending: nn(m[3]), completed: nn(m[8]), blocked: nn(m[9]), all_time_blocked: nn(m[10]) }),
  },
  {
    id: "statuslogger.pool-new",
    kind: "statuslogger-pool",
    re: /^([A-Za-z][\w/#-]*)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+\((\d+|N\/A)\)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)\s+(\d+|N\/A)$/,
    fields: (m) => ({ pool: m[1], active: nn(m[2]), pending: nn(m[3]), completed: nn(m[6]), blocked: nn(m[7]), all_time_blocked: nn(m[8]) }),
  },
  {
    id: "statuslogger.pool-old",
    kind: "statuslogger-pool",
    re: /^([A-Za-z][\w/#-]*)\s+(\d+|n\/a|N\/A)\s+(\d+)(?:\/(\d+))?(?:\s+(\d+)\s+(\d+)\s+(\d+))?$/,
    fields: (m) => ({ pool: m[1], active: nn(m[2]), pending: nn(m[3]), completed: nn(m[5]), blocked: nn(m[6]), all_time_blocked: nn(m[7]) }),
  },
];

/**
 * Row rules for the queries listed under "N operations were slow/timed out in the last M msecs:"
 * (sperf core/slowquery.py; DSE writes `, total time X msec, timeout Y msec` for timeouts).
 */
export const QUERY_ROW_RULES: { id: string; kind: LogEventKind; re: RegExp; fields: (m: RegExpExecArray) => EventFields }[] = [
  {
    id: "query.slow-many",
    kind: "slow-query",
    re: /^<?(.*?)>?, was slow (\d+) times: avg\/min\/max (\d+)\/(\d+)\/(\d+) msec - slow timeout \d+ msec/,
    fields: (m) => ({ query: m[1], times: Number(m[2]), duration_ms: Number(m[5]) }),
  },
  {
    id: "query.slow-one",
    kind: "slow-query",
    re: /^<?(.*?)>?, time (\d+) msec - slow timeout \d+ msec/,
    fields: (m) => ({ query: m[1], times: 1, duration_ms: Number(m[2]) }),
  },
  {
    id: "query.timed-out-many",
    kind: "timed-out-query",
    re: /^<?(.*?)>?, timed out (\d+) times: avg\/min\/max (\d+)\/(\d+)\/(\d+) msec ?-? ?timeout \d+ msec/,
    fields: (m) => ({ query: m[1], times: Number(m[2]), duration_ms: Number(m[5]) }),
  },
  {
    id: "query.timed-out-one",
    kind: "timed-out-query",
    re: /^<?(.*?)>?, total time (\d+) msec[,]? -? ?timeout \d+ msec/,
    fields: (m) => ({ query: m[1], times: 1, duration_ms: Number(m[2]) }),
  },
];

/** A stack-trace line: `\tat ...`, `Caused by: ...`, `... 11 common frames omitted`, `java.io.IOException: ...`. */
export const STACK_LINE =
  /^(?:\s+at |\s*\.\.\. \d+ (?:more|common frames omitted)|Caused by: |Suppressed: |\s*[a-z][\w$]*(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b)/;
/** The exception class at the start of a stack trace's first line. */
export const EXCEPTION_CLASS = /^(?:Caused by: )?\s*([a-z][\w$]*(?:\.[\w$]+)*\.[\w$]*(?:Exception|Error|Throwable))\b/;
