/**
 * What logs()' findings and clock check read, kept exactly over every event of a node even when
 * the kept events are a sample (./log-node.ts keeps them in reservoirs bounded by count,
 * KEEP_EVENTS, and by bytes, KEEP_BYTES). Two things, both bounded by the number of groups (nodes ×
 * pools, tables, message types), not by the number of events:
 *  - pinned events: the ones a finding cites or takes its figure from — per group the first event
 *    and the one with the largest value of each field a rule reads (the earliest of equal values,
 *    as the rules pick them), the first line of each distinct address a node logged (the
 *    "Node configuration" / listen_address line the clock check maps peers with: one copy per
 *    address instead of one per restart or day), and the gossip, messaging-start and shutdown
 *    lines the clock check pairs, up to {@link CLOCK_FACTS_PER_NODE} per node;
 *  - tallies: exact counts per group (lines, dropped messages, distinct partition keys) that the
 *    rules of ./logs-rules.ts use instead of counting the kept events.
 * The group keys are the rules' own (./logs-rules.ts tallyKey), so the two cannot drift.
 */
import type { LogEvent } from "../../parse/log-rules";
import { tallyKey } from "./logs-rules";

/**
 * Gossip UP/DOWN, messaging-start and shutdown lines pinned per node for the clock check; past it they are sampled like any
 * event and the notes say so. A node logs a handful per restart (one UP per peer, one messaging start, one shutdown): 2,000 is
 * hundreds of restarts of a 6-node cluster, ~1 MB per node at ~500 bytes each.
 */
export const CLOCK_FACTS_PER_NODE = 2_000;

/** Exact figures of one group: lines, the sum of `dropped`, distinct partition keys. */
export interface Tally {
  key: string;
  count: number;
  sum: number;
  distinct: number;
}

/** Tallies by key (what ./log-events.ts hands the rules). */
export type Tallies = Map<string, Tally>;

type Kept = { item: LogEvent; order: number };

/** Kept order: time, then reading order (undated last), as ./log-node.ts sorts the kept events. */
const before = (a: Kept, b: Kept) => (a.item.ts ?? Infinity) - (b.item.ts ?? Infinity) || a.order - b.order;

/** The fields whose largest value a rule reads, per kind. */
const MAX_FIELDS: Partial<Record<LogEvent["kind"], (keyof LogEvent)[]>> = {
  "statuslogger-pool": ["pending", "blocked", "all_time_blocked"],
  "gc-pause": ["pause_ms"],
  "tombstone-failure": ["tombstones"],
  "tombstone-warning": ["tombstones"],
  "large-partition": ["partition_bytes"],
  "slow-query": ["duration_ms"],
  "timed-out-query": ["duration_ms"],
};

/** One node's pinned events and tallies, fed every event that passes the filters (see the file comment). */
export class Evidence {
  private readonly pins = new Map<string, Kept>();
  private readonly tallies = new Map<string, Tally & { keys?: Set<string | undefined> }>();
  private clockFacts: Kept[] = [];
  /** Clock-check lines past {@link CLOCK_FACTS_PER_NODE}: the clock check then reads a sample of them. */
  clockFactsOver = 0;

  /** `keep` is called on an event as it is pinned (./log-node.ts copies its strings off the block they were cut from). */
  constructor(private readonly keep: (e: LogEvent) => void) {}

  offer(e: LogEvent, order: number): void {
    const k: Kept = { item: e, order };
    const key = tallyKey(e);
    if (key !== undefined) {
      let t = this.tallies.get(key);
      if (!t) this.tallies.set(flat(key), (t = { key: flat(key), count: 0, sum: 0, distinct: 0 }));
      t.count++;
      t.sum += e.dropped ?? 0;
      if (e.kind === "large-partition" && !(t.keys ??= new Set()).has(e.partition_key))
        t.keys.add(e.partition_key === undefined ? undefined : flat(e.partition_key));
      this.first(`first\u0001${key}`, k);
    }
    const group = key ?? (e.kind === "statuslogger-pool" ? `pool\u0001${e.node}\u0001${e.pool}` : undefined);
    if (group === undefined) {
      this.facts(e, k);
      return;
    }
    for (const f of MAX_FIELDS[e.kind] ?? []) {
      const v = e[f];
      if (typeof v !== "number") continue;
      const slot = `max\u0001${f}\u0001${group}`;
      const p = this.pins.get(slot);
      if (!p || v > (p.item[f] as number) || (v === p.item[f] && before(k, p) < 0)) this.pin(slot, k);
    }
    this.facts(e, k);
  }

  /** The clock check's lines: the first line of each address the node logged, and gossip, messaging-start and shutdown lines. */
  private facts(e: LogEvent, k: Kept): void {
    if (e.address && e.peer === undefined) this.first(`address\u0001${e.address}`, k);
    if (e.peer !== undefined || e.rule === "node.messaging-start" || e.kind === "shutdown") {
      if (this.clockFacts.length < CLOCK_FACTS_PER_NODE) {
        this.keep(e);
        this.clockFacts.push(k);
      } else this.clockFactsOver++;
    }
  }

  /** The pinned events (each once). */
  kept(): Kept[] {
    const out = new Set<Kept>([...this.pins.values(), ...this.clockFacts]);
    return [...out];
  }

  /** The exact tallies of the node. */
  counts(): Tally[] {
    return [...this.tallies.values()].map((t) => ({ key: t.key, count: t.count, sum: t.sum, distinct: t.keys?.size ?? 0 }));
  }

  /** How many events are pinned (for the node's stats). */
  get size(): number {
    return this.pins.size + this.clockFacts.length;
  }

  private first(slot: string, k: Kept): void {
    const p = this.pins.get(slot);
    if (!p || before(k, p) < 0) this.pin(slot, k);
  }

  private pin(slot: string, k: Kept): void {
    this.keep(k.item);
    this.pins.set(this.pins.has(slot) ? slot : flat(slot), k);
  }
}

/** A flat copy of a string: a key built from an event's fields must not keep the 1 MiB block they were cut from alive. */
function flat(s: string): string {
  return (" " + s).slice(1);
}
