/**
 * Clock checks across nodes, from what the logs say about each other.
 *
 * Gossip gives causality: node A cannot see node B "is now UP" before B started its messaging
 * service, nor "is now DOWN" long before B announced its shutdown. When A's log says so anyway,
 * B's clock is ahead of A's by at least the difference. Each such pair is a violation; the node
 * named in most violations is the one whose clock is off. Nodes are matched to peer addresses
 * through their own logged addresses (listen_address, messaging service, CQL listener) and their
 * node names (bundles name nodes by address).
 */
import type { LogEvent } from "../../parse/log-rules";

/** Log lines have 1 s resolution on console layouts and gossip needs a moment: differences up to this are not skew. */
export const CLOCK_SKEW_TOLERANCE_MS = 5_000;
/** Only compare a gossip view with the peer's own start/stop within this distance (else it is another restart). */
export const CLOCK_PAIRING_WINDOW_MS = 6 * 3_600_000;

/** One causality violation between two nodes. */
export interface ClockViolation {
  /** The node whose clock is ahead. */
  ahead: string;
  /** The node that observed it. */
  observer: string;
  /** At least this much ahead (ms). */
  skew_ms: number;
  evidence: string;
}

/**
 * Gossip causality violations in a set of events (all nodes of one source).
 * @example checkClocks(events).map((v) => v.evidence)
 */
export function checkClocks(events: LogEvent[]): ClockViolation[] {
  const aliases = new Map<string, string>(); // address -> node
  const nodes = new Set<string>();
  for (const e of events) {
    nodes.add(e.node);
    if (e.address && e.peer === undefined) aliases.set(e.address, e.node);
  }
  for (const n of nodes) if (/^\d{1,3}(\.\d{1,3}){3}$/.test(n) && !aliases.has(n)) aliases.set(n, n);
  const starts = new Map<string, LogEvent[]>();
  const stops = new Map<string, LogEvent[]>();
  for (const e of events) {
    if (e.ts === null) continue;
    if (e.rule === "node.messaging-start") push(starts, e.node, e);
    if (e.kind === "shutdown") push(stops, e.node, e);
  }
  const out: ClockViolation[] = [];
  const fmt = (t: number) =>
    new Date(t)
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "");
  for (const e of events) {
    if (e.ts === null || !e.peer) continue;
    const peer = aliases.get(e.peer);
    if (!peer || peer === e.node) continue;
    if (e.phase === "up") {
      const s = nearest(starts.get(peer), e.ts);
      if (s && s.ts! - e.ts > CLOCK_SKEW_TOLERANCE_MS) {
        out.push({
          ahead: peer,
          observer: e.node,
          skew_ms: s.ts! - e.ts,
          evidence: `${e.node} saw ${e.peer} (${peer}) UP at ${fmt(e.ts)} (${e.file}:${e.line}), but ${peer} logged starting its messaging service at ${fmt(s.ts!)} (${s.file}:${s.line})`,
        });
      }
    } else if (e.phase === "down") {
      const s = nearest(stops.get(peer), e.ts);
      if (s && s.ts! - e.ts > CLOCK_SKEW_TOLERANCE_MS) {
        out.push({
          ahead: peer,
          observer: e.node,
          skew_ms: s.ts! - e.ts,
          evidence: `${e.node} saw ${e.peer} (${peer}) DOWN at ${fmt(e.ts)} (${e.file}:${e.line}), but ${peer} announced its shutdown at ${fmt(s.ts!)} (${s.file}:${s.line})`,
        });
      }
    }
  }
  return out;
}

/**
 * The nodes whose clocks are off, from violations: a node ahead in a violation, or the observer
 * (behind). The node implicated in most violations is blamed; ties name each.
 */
export function skewedNodes(violations: ClockViolation[]): { node: string; direction: "ahead" | "behind"; skew_ms: number; evidence: string[] }[] {
  if (!violations.length) return [];
  const score = new Map<string, number>();
  for (const v of violations) {
    score.set(v.ahead, (score.get(v.ahead) ?? 0) + 1);
    score.set(v.observer, (score.get(v.observer) ?? 0) + 1);
  }
  const top = Math.max(...score.values());
  const blamed = [...score].filter(([, s]) => s === top).map(([n]) => n);
  return blamed.map((node) => {
    const mine = violations.filter((v) => v.ahead === node || v.observer === node);
    const ahead = mine.filter((v) => v.ahead === node).length >= mine.length / 2;
    return { node, direction: ahead ? "ahead" : "behind", skew_ms: Math.max(...mine.map((v) => v.skew_ms)), evidence: mine.map((v) => v.evidence) };
  });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

function nearest(list: LogEvent[] | undefined, t: number): LogEvent | undefined {
  let best: LogEvent | undefined;
  for (const e of list ?? []) if (Math.abs(e.ts! - t) <= CLOCK_PAIRING_WINDOW_MS && (!best || Math.abs(e.ts! - t) < Math.abs(best.ts! - t))) best = e;
  return best;
}
