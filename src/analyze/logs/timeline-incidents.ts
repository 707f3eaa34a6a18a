/**
 * What timeline()'s summary names: the busiest windows (most notable events per node and window),
 * the coincidences (what happened on the same node around each GC pause, slow query or latency
 * spike, with ./timeline-rules.ts thresholds), and the incident window the chart opens on.
 */
import type { LogEvent } from "./log-events";
import { dumpKey, type LanePoint } from "./timeline-lanes";
import { TIMELINE_THRESHOLDS } from "./timeline-rules";

/** One busiest window of one node. */
export interface BusyWindow {
  node: string;
  start: string;
  end: string;
  events: number;
  what: string;
}

/** One spike and what happened near it. */
export interface Coincidence {
  node: string;
  time: string;
  spike: string;
  nearby: string;
}

/** The busiest windows: most notable events (not "other"; a StatusLogger dump counts once) per node and window. */
export function busiestWindows(events: LogEvent[], windowMs: number, top: number): BusyWindow[] {
  const m = new Map<string, { node: string; t: number; n: number; kinds: Map<string, number>; gcMax: number }>();
  const dumpSeen = new Set<string>();
  for (const e of events) {
    if (e.ts === null || e.kind === "other" || e.kind === "statuslogger-table") continue;
    if (e.kind === "statuslogger-pool") {
      const d = dumpKey(e);
      if (dumpSeen.has(d)) continue;
      dumpSeen.add(d);
    }
    const t = Math.floor(e.ts / windowMs) * windowMs;
    const k = `${e.node}|${t}`;
    let g = m.get(k);
    if (!g) m.set(k, (g = { node: e.node, t, n: 0, kinds: new Map(), gcMax: 0 }));
    g.n++;
    const name = e.kind === "statuslogger-pool" ? "StatusLogger dump" : e.kind;
    g.kinds.set(name, (g.kinds.get(name) ?? 0) + 1);
    if (e.kind === "gc-pause") g.gcMax = Math.max(g.gcMax, e.pause_ms ?? 0);
  }
  return [...m.values()]
    .sort((a, b) => b.n - a.n || a.t - b.t)
    .slice(0, top)
    .map((g) => ({
      node: g.node,
      start: new Date(g.t).toISOString(),
      end: new Date(g.t + windowMs).toISOString(),
      events: g.n,
      what: [...g.kinds]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${n} ${k}${k === "gc-pause" ? ` (max ${g.gcMax} ms)` : ""}`)
        .join(", "),
    }));
}

/** The spikes to explain: GC pauses over GC_SPIKE_MS, slow/timed-out queries, and the LATENCY_SPIKES slowest latency points over LATENCY_SPIKE_MS. */
function spikesOf(points: LanePoint[]): LanePoint[] {
  const latencySpikes = points
    .filter((p) => p.lane === "latency (ms)" && p.value >= TIMELINE_THRESHOLDS.LATENCY_SPIKE_MS.value)
    .sort((a, b) => b.value - a.value)
    .slice(0, TIMELINE_THRESHOLDS.LATENCY_SPIKES.value);
  return points
    .filter((p) => (p.lane === "GC pause (ms)" && p.value >= TIMELINE_THRESHOLDS.GC_SPIKE_MS.value) || p.lane === "slow queries (ms)")
    .concat(latencySpikes);
}

/** What the events of `list` (sorted by time) within `ms` of spike `s` are, counted by name (the spike's own event left out). */
function nearbyEvents(list: LogEvent[], s: LanePoint, ms: number): Map<string, number> {
  const near = new Map<string, number>();
  const dumps = new Set<string>();
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].ts! < s.t - ms) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < list.length && list[i].ts! <= s.t + ms; i++) {
    const e = list[i];
    if (e.kind === "gc-pause" && e.ts === s.t && s.lane === "GC pause (ms)") continue;
    if ((e.kind === "slow-query" || e.kind === "timed-out-query") && e.ts === s.t && s.lane === "slow queries (ms)") continue;
    let name: string = e.kind;
    if (e.kind === "statuslogger-pool") {
      const d = dumpKey(e);
      if (dumps.has(d)) continue;
      dumps.add(d);
      name = "StatusLogger dump";
    } else if (e.kind === "dropped-messages") name = `dropped ${e.pool}`;
    else if (e.kind === "gc-pause") name = `GC ${e.pause_ms} ms`;
    near.set(name, (near.get(name) ?? 0) + 1);
  }
  return near;
}

/** What happened on the same node within `ms` of each GC pause over GC_SPIKE_MS and each slow/timed-out query. */
export function coincide(events: LogEvent[], points: LanePoint[], ms: number): Coincidence[] {
  const spikes = spikesOf(points);
  if (!spikes.length) return [];
  const byNode = new Map<string, LogEvent[]>();
  for (const e of events)
    if (e.ts !== null && e.kind !== "other" && e.kind !== "statuslogger-table") (byNode.get(e.node) ?? byNode.set(e.node, []).get(e.node)!).push(e);
  const out: Coincidence[] = [];
  const everyNode = [...byNode.values()].flat().sort((a, b) => a.ts! - b.ts!);
  for (const s of spikes) {
    // Client-side latency (bench) is compared with every node's events.
    const list = s.node.startsWith("client (") ? everyNode : (byNode.get(s.node) ?? []);
    const near = nearbyEvents(list, s, ms);
    if (!near.size) continue;
    out.push({
      node: s.node,
      time: new Date(s.t).toISOString(),
      spike:
        s.lane === "GC pause (ms)"
          ? `GC pause ${Math.round(s.value)} ms`
          : s.lane === "latency (ms)"
            ? `latency ${s.value.toFixed(1)} ms (${s.label.slice(0, 60)})`
            : `${s.label.startsWith("slow") ? "slow" : "timed-out"} query ${s.value} ms`,
      nearby: [...near].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join(", "),
    });
  }
  return out;
}

/** How far apart two coincidences may be and still belong to one incident. */
const INCIDENT_GAP_MS = 10 * 60_000;

/**
 * The window the timeline opens on: the largest run of coincidences (each within INCIDENT_GAP_MS of
 * the previous; the latest run on a tie), widened by a fifth of its span and at least 2 minutes each
 * side. Undefined without coincidences: then the whole recording is shown.
 */
export function incidentWindow(times: number[]): { from: number; to: number; count: number } | undefined {
  if (!times.length) return undefined;
  const t = times.slice().sort((a, b) => a - b);
  let best = { lo: 0, hi: 0 };
  let lo = 0;
  for (let i = 1; i <= t.length; i++) {
    if (i === t.length || t[i] - t[i - 1] > INCIDENT_GAP_MS) {
      if (i - lo >= best.hi - best.lo + 1) best = { lo, hi: i - 1 };
      lo = i;
    }
  }
  const pad = Math.max(2 * 60_000, (t[best.hi] - t[best.lo]) / 5);
  return { from: t[best.lo] - pad, to: t[best.hi] + pad, count: best.hi - best.lo + 1 };
}
