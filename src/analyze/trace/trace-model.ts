/**
 * Trace rows -> the analysed model: one row per event with node, thread, delta, stage, role and the
 * numbers its text states; one summary per session (time per stage, per node, sstables,
 * tombstones, read repair ...).
 *
 * Events are stored column-wise with interned strings (a million events replayed from real
 * sessions fit in a few hundred MB) and fed one at a time through {@link TraceModelBuilder}.
 * analyse() takes each session through named steps: sortByEventTime -> rowFromEvents (no sessions
 * row) -> sharedAddresses (ip:port names) -> classifyEvents (pass 1: stage, deltas, clocks) ->
 * nodeOffsets (common timeline, clock skew) -> placeAndSum (pass 2: t_us and sums) -> finishSummary.
 *
 * Time:
 *  - at_us is the event's source_elapsed: microseconds since THIS node joined the session;
 *  - delta_us is at_us minus the previous event's at_us on the same node and thread, in the order
 *    Cassandra returns events (event_id, the node's own clock). The first event of a thread counts
 *    from the node's previous event, the first of a node from its joining (at_us itself). Pooled
 *    threads (SharedPool-Worker-N, WRITE-/peer) run many tasks: an event that STARTS a task
 *    (TASK_START_RULES: a message received or sent, a replica read starting, a response being
 *    processed ...) counts from the node's previous event instead, so a worker's idle time between
 *    two tasks is never charged to a stage, while the wait in the stage's queue is. The delta is
 *    the time that led up to the event, so it is charged to the event's stage;
 *  - t_us places the event on the session's common timeline: the node's join offset + at_us. The
 *    offset comes from the event ids' wall clock; when that puts a replica's join before the
 *    coordinator sent to it, the nodes' clocks disagree: the offset is taken from the send instead
 *    and the node is flagged "clock-skew".
 * Flags per event: "null-elapsed" (Cassandra wrote no source_elapsed; 2.1 does for events that
 * arrive after the session closed; t_us is then estimated from the event id), "negative-delta"
 * (elapsed went backwards on a thread: out-of-order ids or clock skew; charged as 0),
 * "clock-skew", "unknown-activity".
 */
import { classifyActivity, NETWORK_STAGES, STAGES, type Stage } from "../../parse/trace-stages";
import { microsFromIso, timeuuidMicros, type TraceEventRow, type TraceSessionRow } from "../../parse/trace-rows";
import type { Columns } from "../../present/report";

/** Rules (see trace-stages.ts) whose event starts a new task on a pooled thread. */
export const TASK_START_RULES: ReadonlySet<string> = new Set([
  "receive-message",
  "send-message",
  "forward",
  "single-partition",
  "seq-scan",
  "index-read",
  "local-read",
  "process-response",
  "parsing",
  "execute-cql",
  "batch",
  "replicas",
  "reading-from",
  "reading-locally",
  "commitlog",
]);

/** Tolerance for clock comparisons: event ids of 2.1 carry millisecond clocks. */
export const CLOCK_TOLERANCE_US = 2_000;

/** Per-session results. */
export interface SessionSummary {
  session_id: string;
  coordinator: string;
  started_at: string;
  /** Microseconds: the session's duration, or (incomplete session) the last event's t_us. */
  duration_us: number;
  /** False when system_traces.sessions had no duration (the request never completed or the row is missing). */
  complete: boolean;
  query: string;
  consistency: string;
  request: string;
  events: number;
  nodes: string[];
  replicas: string[];
  /** Time per stage (µs), charged from deltas. */
  stage_us: Partial<Record<Stage, number>>;
  /** Time per node and stage (µs): the slow-stage rule looks at one node's stage, not the sum over parallel replicas. */
  node_stage_us: Record<string, Partial<Record<Stage, number>>>;
  /** Span per node (µs): its last at_us. */
  node_us: Record<string, number>;
  network_us: number;
  local_us: number;
  /** Largest "merged from N sstables" count of one read in this session. */
  sstables_per_read: number;
  /** Sum of sstables merged over all reads of the session. */
  sstables: number;
  live_rows: number;
  tombstones: number;
  /** Largest tombstone count one replica stated, with that replica's live rows. */
  max_tombstones_one_read: number;
  live_rows_that_read: number;
  message_bytes: number;
  read_repair: boolean;
  digest_mismatch: boolean;
  speculative_retry: boolean;
  unknown_activities: number;
  null_elapsed: number;
  negative_deltas: number;
  skewed_nodes: string[];
  /** Nodes that did replica read work (executed the read, merged, counted rows). */
  reading_nodes: string[];
  /** Nodes the coordinator sent to that wrote no events (their events are missing). */
  silent_peers: string[];
  /** Per replica: its local span (µs), for the slow-replica rule. */
  replica_us: Record<string, number>;
}

/** Interns strings so a million events share a few thousand string objects. */
class Interner {
  private readonly map = new Map<string, string>();
  get(s: string): string {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    this.map.set(s, s);
    return s;
  }
}

/** Events of many sessions, column-wise, as they are read. */
export class TraceModelBuilder {
  readonly session: string[] = [];
  readonly node: string[] = [];
  readonly thread: string[] = [];
  readonly activity: string[] = [];
  /** source_elapsed or NaN. */
  readonly atUs: number[] = [];
  /** Epoch µs from the event id / event time, or NaN. */
  readonly timeUs: number[] = [];
  /** 4.0+ source_port, or NaN. */
  readonly port: number[] = [];
  readonly sessions = new Map<string, TraceSessionRow>();
  private readonly intern = new Interner();

  /** Add one event row. */
  addEvent(e: TraceEventRow): void {
    this.session.push(this.intern.get(e.session_id));
    this.node.push(this.intern.get(e.source.charCodeAt(0) === 47 /* "/" */ ? e.source.slice(1) : e.source));
    this.thread.push(this.intern.get(e.thread));
    this.activity.push(this.intern.get(e.activity));
    this.atUs.push(typeof e.source_elapsed === "number" ? e.source_elapsed : NaN);
    let t = e.event_id ? timeuuidMicros(e.event_id) : undefined;
    if (t === undefined && e.event_time) t = microsFromIso(e.event_time);
    this.timeUs.push(t === undefined ? NaN : t);
    this.port.push(typeof e.source_port === "number" ? e.source_port : NaN);
  }

  /** Add one session row (a later row for the same id replaces an earlier one). */
  addSession(s: TraceSessionRow): void {
    this.sessions.set(s.session_id, { ...s, coordinator: s.coordinator.replace(/^\//, "") });
  }

  get size(): number {
    return this.session.length;
  }

  /** Analyse everything added so far. */
  build(): TraceModel {
    return analyse(this);
  }
}

/** The analysed model: per-event derived columns and per-session summaries. */
export interface TraceModel {
  src: TraceModelBuilder;
  /** Event indices in analysis order (session, then event order). */
  order: Int32Array;
  deltaUs: Float64Array;
  tUs: Float64Array;
  stage: Stage[];
  role: ("coordinator" | "replica")[];
  flags: string[];
  sstables: (number | null)[];
  liveRows: (number | null)[];
  tombstones: (number | null)[];
  messageBytes: (number | null)[];
  peer: (string | null)[];
  sessions: SessionSummary[];
  unknownActivities: Map<string, number>;
}

/** Per-event derived columns, filled session by session. */
type EventColumns = Omit<TraceModel, "src" | "order" | "sessions" | "unknownActivities">;

/** What pass 1 learns of a session besides the per-event columns. */
interface SessionScan {
  /** SSTables a node's read selected, by id, for reads that never state "merged from N sstables" (4.0+ names queries). */
  selected: Map<string, Set<string>>;
  /** Nodes whose read stated "merged from N sstables". */
  mergeCounted: Set<string>;
  /** node -> min(timeUs - startUs - atUs): where the node's clock puts its join. */
  clockOffset: Map<string, number>;
  /** replica -> the coordinator's first send to it (at_us). */
  sendAt: Map<string, number>;
}

/** Analyse every session: order its events, classify them, place them on the session's timeline, sum them up. */
function analyse(b: TraceModelBuilder): TraceModel {
  const n = b.size;
  const bySession = groupBySession(b);
  const order = new Int32Array(n);
  const cols: EventColumns = {
    deltaUs: new Float64Array(n),
    tUs: new Float64Array(n),
    stage: new Array(n),
    role: new Array(n),
    flags: new Array(n).fill(""),
    sstables: new Array(n).fill(null),
    liveRows: new Array(n).fill(null),
    tombstones: new Array(n).fill(null),
    messageBytes: new Array(n).fill(null),
    peer: new Array(n).fill(null),
  };
  const sessions: SessionSummary[] = [];
  const unknownActivities = new Map<string, number>();
  let k = 0;
  for (const [sid, idx] of bySession) {
    sortByEventTime(b, idx);
    const row = b.sessions.get(sid) ?? rowFromEvents(b, sid, idx);
    const { coordinator, peerOf } = sharedAddresses(b, idx, row);
    const startUs = row.started_at ? microsFromIso(row.started_at) : NaN;
    const sum = emptySummary(sid, coordinator, row, idx.length);
    const scan = classifyEvents(b, idx, cols, { coordinator, peerOf, startUs, sum, unknownActivities });
    const nodes = new Set<string>();
    for (const i of idx) nodes.add(b.node[i]);
    const offset = nodeOffsets(nodes, coordinator, scan, sum);
    for (const i of idx) order[k++] = i;
    const lastT = placeAndSum(b, idx, cols, offset, startUs, sum);
    finishSummary(b, idx, cols, scan, nodes, sum, lastT);
    sessions.push(sum);
  }
  return { src: b, order, ...cols, sessions, unknownActivities };
}

/** Event indices by session, in arrival order; sessions without events still count. */
function groupBySession(b: TraceModelBuilder): Map<string, number[]> {
  const bySession = new Map<string, number[]>();
  for (let i = 0; i < b.size; i++) {
    const s = b.session[i];
    let list = bySession.get(s);
    if (!list) bySession.set(s, (list = []));
    list.push(i);
  }
  for (const id of b.sessions.keys()) if (!bySession.has(id)) bySession.set(id, []);
  return bySession;
}

/** Event order: by the event id's time when every event has one, else as given (sorts `idx` in place). */
function sortByEventTime(b: TraceModelBuilder, idx: number[]): void {
  if (idx.length > 1 && idx.every((i) => !Number.isNaN(b.timeUs[i]))) {
    let sorted = true;
    for (let j = 1; j < idx.length; j++)
      if (b.timeUs[idx[j]] < b.timeUs[idx[j - 1]]) {
        sorted = false;
        break;
      }
    if (!sorted) idx.sort((x, y) => b.timeUs[x] - b.timeUs[y] || x - y);
  }
}

/** A session with events but no sessions row (an events-only export): coordinator = the node of its earliest event. */
function rowFromEvents(b: TraceModelBuilder, sid: string, idx: number[]): TraceSessionRow {
  const firstNode = idx.length ? b.node[idx[0]] : "";
  const t0 = idx.length ? b.timeUs[idx[0]] : NaN;
  return {
    session_id: sid,
    coordinator: firstNode,
    started_at: Number.isNaN(t0) ? "" : new Date(t0 / 1000).toISOString(),
    duration: null,
    request: "",
    command: "QUERY",
    client: null,
    parameters: {},
  };
}

/**
 * Nodes sharing an address (one IP, several internode ports: a common local setup on 4.0+) are
 * told apart by port: their events (renamed in place), the coordinator and the peers of their
 * messages become "ip:port".
 */
function sharedAddresses(b: TraceModelBuilder, idx: number[], row: TraceSessionRow): { coordinator: string; peerOf: (p: string, activity: string) => string } {
  const portsOf = new Map<string, Set<number>>();
  for (const i of idx) if (!Number.isNaN(b.port[i])) (portsOf.get(b.node[i]) ?? portsOf.set(b.node[i], new Set()).get(b.node[i])!).add(b.port[i]);
  const shared = new Set([...portsOf].filter(([, p]) => p.size > 1).map(([ip]) => ip));
  let coordinator = row.coordinator.replace(/^\//, "");
  if (shared.size) {
    const firstNode = b.node[idx[0]];
    const firstPort = b.port[idx[0]];
    for (const i of idx) if (shared.has(b.node[i]) && !Number.isNaN(b.port[i])) b.node[i] = `${b.node[i]}:${b.port[i]}`;
    if (shared.has(coordinator))
      coordinator =
        typeof row.coordinator_port === "number"
          ? `${coordinator}:${row.coordinator_port}`
          : firstNode === coordinator && !Number.isNaN(firstPort)
            ? `${coordinator}:${firstPort}`
            : coordinator;
  }
  /** A peer named in an activity, with its port when its address is shared. */
  const peerOf = (p: string, activity: string): string => {
    if (!shared.has(p)) return p;
    const m = new RegExp(`${p.replace(/\./g, "\\.")}\\]?:(\\d+)`).exec(activity);
    return m ? `${p}:${m[1]}` : p;
  };
  return { coordinator, peerOf };
}

/** A session's summary before its events are counted. */
function emptySummary(sid: string, coordinator: string, row: TraceSessionRow, events: number): SessionSummary {
  return {
    session_id: sid,
    coordinator,
    started_at: row.started_at,
    duration_us: row.duration ?? 0,
    complete: row.duration !== null,
    query: row.parameters.query ?? row.request,
    consistency: row.parameters.consistency_level ?? "",
    request: row.request,
    events,
    nodes: [],
    replicas: [],
    stage_us: {},
    node_stage_us: {},
    node_us: {},
    network_us: 0,
    local_us: 0,
    sstables_per_read: 0,
    sstables: 0,
    live_rows: 0,
    tombstones: 0,
    max_tombstones_one_read: 0,
    live_rows_that_read: 0,
    message_bytes: 0,
    read_repair: false,
    digest_mismatch: false,
    speculative_retry: false,
    unknown_activities: 0,
    null_elapsed: 0,
    negative_deltas: 0,
    skewed_nodes: [],
    silent_peers: [],
    reading_nodes: [],
    replica_us: {},
  };
}

/** Pass 1: classification (stage, role, stated numbers, peer), per-thread deltas, per-node clock offsets. */
function classifyEvents(
  b: TraceModelBuilder,
  idx: number[],
  cols: EventColumns,
  ctx: {
    coordinator: string;
    peerOf: (p: string, activity: string) => string;
    startUs: number;
    sum: SessionSummary;
    unknownActivities: Map<string, number>;
  },
): SessionScan {
  const { stage, role, sstables, liveRows, tombstones, messageBytes, peer, deltaUs, flags } = cols;
  const { coordinator, peerOf, startUs, sum, unknownActivities } = ctx;
  const selected = new Map<string, Set<string>>();
  const mergeCounted = new Set<string>();
  const lastOnThread = new Map<string, number>();
  const lastOnNode = new Map<string, number>();
  const clockOffset = new Map<string, number>();
  const sendAt = new Map<string, number>();
  for (const i of idx) {
    const node = b.node[i];
    const info = classifyActivity(b.activity[i]);
    stage[i] = info.stage;
    role[i] = node === coordinator ? "coordinator" : "replica";
    if (info.sstables !== undefined) sstables[i] = info.sstables;
    if (info.liveRows !== undefined) liveRows[i] = info.liveRows;
    if (info.tombstones !== undefined) tombstones[i] = info.tombstones;
    if (info.messageBytes !== undefined) messageBytes[i] = info.messageBytes;
    if (info.peer !== undefined) peer[i] = peerOf(info.peer, b.activity[i]);
    if (info.sstable !== undefined) (selected.get(node) ?? selected.set(node, new Set()).get(node)!).add(info.sstable);
    if (info.sstables !== undefined && info.stage === "merge") mergeCounted.add(node);
    let f = "";
    if (info.stage === "other") {
      f = "unknown-activity";
      sum.unknown_activities++;
      unknownActivities.set(b.activity[i], (unknownActivities.get(b.activity[i]) ?? 0) + 1);
    }
    const at = b.atUs[i];
    if (Number.isNaN(at)) {
      f = f ? f + ",null-elapsed" : "null-elapsed";
      sum.null_elapsed++;
      deltaUs[i] = NaN;
    } else {
      const key = node + "\u0000" + b.thread[i];
      const onNode = lastOnNode.get(node) ?? 0;
      const onThread = lastOnThread.get(key);
      // A task start counts from the node's previous event (when that is not later than this one).
      const prev = onThread === undefined || (TASK_START_RULES.has(info.rule) && onNode <= at) ? onNode : onThread;
      const d = at - prev;
      deltaUs[i] = d;
      if (d < 0) {
        f = f ? f + ",negative-delta" : "negative-delta";
        sum.negative_deltas++;
      }
      lastOnThread.set(key, at);
      lastOnNode.set(node, Math.max(lastOnNode.get(node) ?? 0, at));
      if (!Number.isNaN(b.timeUs[i]) && !Number.isNaN(startUs)) {
        const off = b.timeUs[i] - startUs - at;
        const cur = clockOffset.get(node);
        if (cur === undefined || off < cur) clockOffset.set(node, off);
      }
      if (node === coordinator && info.stage === "message-send" && info.peer && !sendAt.has(peer[i]!)) sendAt.set(peer[i]!, at);
    }
    if (f) flags[i] = f;
  }
  return { selected, mergeCounted, clockOffset, sendAt };
}

/**
 * Node offsets on the common timeline: the coordinator at 0; a replica where its clock puts its
 * join, unless that is before the coordinator sent to it (clock skew: then at the send, flagged).
 */
function nodeOffsets(nodes: Set<string>, coordinator: string, scan: SessionScan, sum: SessionSummary): Map<string, number> {
  const offset = new Map<string, number>();
  for (const node of nodes) {
    if (node === coordinator) {
      offset.set(node, 0);
      continue;
    }
    const clock = scan.clockOffset.get(node);
    const send = scan.sendAt.get(node);
    if (send !== undefined && (clock === undefined || clock < send - CLOCK_TOLERANCE_US)) {
      if (clock !== undefined) sum.skewed_nodes.push(node);
      offset.set(node, send);
    } else offset.set(node, Math.max(0, clock ?? 0));
  }
  return offset;
}

/** Pass 2: each event's t_us on the common timeline, and the session's sums (stages, nodes, sstables, tombstones ...). Returns the last t_us. */
function placeAndSum(b: TraceModelBuilder, idx: number[], cols: EventColumns, offset: Map<string, number>, startUs: number, sum: SessionSummary): number {
  const { tUs, flags, deltaUs, stage, sstables, tombstones, liveRows, messageBytes } = cols;
  let lastT = 0;
  for (const i of idx) {
    const node = b.node[i];
    const at = b.atUs[i];
    let t: number;
    if (!Number.isNaN(at)) t = (offset.get(node) ?? 0) + at;
    else if (!Number.isNaN(b.timeUs[i]) && !Number.isNaN(startUs)) t = Math.max(0, b.timeUs[i] - startUs);
    else t = lastT;
    tUs[i] = t;
    lastT = Math.max(lastT, t);
    if (sum.skewed_nodes.includes(node)) flags[i] = flags[i] ? flags[i] + ",clock-skew" : "clock-skew";
    const d = deltaUs[i];
    const charged = Number.isNaN(d) || d < 0 ? 0 : d;
    const st = stage[i];
    sum.stage_us[st] = (sum.stage_us[st] ?? 0) + charged;
    const ns = (sum.node_stage_us[node] ??= {});
    ns[st] = (ns[st] ?? 0) + charged;
    if (NETWORK_STAGES.has(st)) sum.network_us += charged;
    else sum.local_us += charged;
    if (!Number.isNaN(at)) sum.node_us[node] = Math.max(sum.node_us[node] ?? 0, at);
    if (st === "merge" && sstables[i] !== null) {
      sum.sstables += sstables[i]!;
      sum.sstables_per_read = Math.max(sum.sstables_per_read, sstables[i]!);
    }
    if (tombstones[i] !== null) {
      sum.tombstones += tombstones[i]!;
      sum.live_rows += liveRows[i] ?? 0;
      if (tombstones[i]! > sum.max_tombstones_one_read) {
        sum.max_tombstones_one_read = tombstones[i]!;
        sum.live_rows_that_read = liveRows[i] ?? 0;
      }
    }
    if (messageBytes[i] !== null) sum.message_bytes += messageBytes[i]!;
    if (st === "read-repair") sum.read_repair = true;
    if (st === "read-repair" && /^Digest mismatch/i.test(b.activity[i])) sum.digest_mismatch = true;
    if (st === "speculative-retry") sum.speculative_retry = true;
  }
  return lastT;
}

/** The session's lists: nodes, silent peers, reading nodes, replicas and their spans; sstables of reads that named them; the duration of an incomplete session. */
function finishSummary(
  b: TraceModelBuilder,
  idx: number[],
  cols: EventColumns,
  scan: SessionScan,
  nodes: Set<string>,
  sum: SessionSummary,
  lastT: number,
): void {
  const { stage } = cols;
  const { selected, mergeCounted, sendAt } = scan;
  const coordinator = sum.coordinator;
  // Reads that named their SSTables but stated no count: the distinct ids are that node's SSTables for the read.
  for (const [node, ids] of selected) {
    if (mergeCounted.has(node)) continue;
    sum.sstables += ids.size;
    sum.sstables_per_read = Math.max(sum.sstables_per_read, ids.size);
  }
  sum.nodes = [...nodes].sort();
  for (const p of sendAt.keys()) if (!nodes.has(p)) sum.silent_peers.push(p);
  const reading = new Set<string>();
  for (const i of idx) if (stage[i] === "replica-read" || stage[i] === "tombstones" || stage[i] === "merge") reading.add(b.node[i]);
  sum.reading_nodes = [...reading].sort();
  sum.replicas = sum.nodes.filter((x) => x !== coordinator);
  for (const r of sum.replicas) if (sum.node_us[r] !== undefined) sum.replica_us[r] = sum.node_us[r];
  if (!sum.complete) sum.duration_us = lastT;
}

/** The events frame's columns, in analysis order. */
export function eventColumns(m: TraceModel): Columns {
  const o = m.order;
  const n = o.length;
  const pick = <T>(get: (i: number) => T): T[] => {
    const out: T[] = new Array(n);
    for (let j = 0; j < n; j++) out[j] = get(o[j]);
    return out;
  };
  const b = m.src;
  const nan = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    session_id: pick((i) => b.session[i]),
    node: pick((i) => b.node[i]),
    thread: pick((i) => b.thread[i]),
    at_us: pick((i) => nan(b.atUs[i])),
    delta_us: pick((i) => nan(m.deltaUs[i])),
    t_us: pick((i) => m.tUs[i]),
    activity: pick((i) => b.activity[i]),
    stage: pick((i) => m.stage[i]),
    role: pick((i) => m.role[i]),
    sstables: pick((i) => m.sstables[i]),
    live_rows: pick((i) => m.liveRows[i]),
    tombstones: pick((i) => m.tombstones[i]),
    message_bytes: pick((i) => m.messageBytes[i]),
    peer: pick((i) => m.peer[i]),
    flags: pick((i) => m.flags[i]),
  };
}

/** Microseconds as milliseconds, rounded to the microsecond. @example ms(1234.6) // 1.235 */
export const ms = (us: number): number => Math.round(us) / 1000;

/** The sessions frame's columns. */
export function sessionColumns(m: TraceModel): Columns {
  const s = m.sessions;
  return {
    session_id: s.map((x) => x.session_id),
    started_at: s.map((x) => x.started_at),
    coordinator: s.map((x) => x.coordinator),
    duration_ms: s.map((x) => ms(x.duration_us)),
    complete: s.map((x) => x.complete),
    consistency: s.map((x) => x.consistency || null),
    query: s.map((x) => x.query),
    events: s.map((x) => x.events),
    nodes: s.map((x) => x.nodes.length),
    sstables_per_read: s.map((x) => x.sstables_per_read),
    live_rows: s.map((x) => x.live_rows),
    tombstones: s.map((x) => x.tombstones),
    read_repair: s.map((x) => x.read_repair),
    speculative_retry: s.map((x) => x.speculative_retry),
    network_ms: s.map((x) => ms(x.network_us)),
    local_ms: s.map((x) => ms(x.local_us)),
    ...Object.fromEntries(STAGES.map((st) => [`${st}_ms`, s.map((x) => ms(x.stage_us[st] ?? 0))])),
  };
}
