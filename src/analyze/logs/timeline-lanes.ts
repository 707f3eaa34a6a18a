/**
 * timeline()'s lanes and points: the lanes top to bottom with how a time bin aggregates each, the
 * point one event puts on a lane, and the binning that keeps a chart under MAX_CHART_POINTS.
 * Shared by the gathering (./timeline.ts) and the chart (../../present/charts/timeline.ts).
 */
import { MAX_CHART_POINTS } from "../../present/chart";
import type { LogEvent } from "./log-events";

/** The lanes, top to bottom, with how a bin aggregates them. */
export const TIMELINE_LANES = [
  { lane: "GC pause (ms)", agg: "max" },
  { lane: "dropped messages", agg: "sum" },
  { lane: "pending tasks (StatusLogger)", agg: "max" },
  { lane: "flushes + compactions", agg: "sum" },
  { lane: "warnings", agg: "sum" },
  { lane: "slow queries (ms)", agg: "max" },
  { lane: "latency (ms)", agg: "max" },
] as const;
export type Lane = (typeof TIMELINE_LANES)[number]["lane"];

/** Count lanes (dropped messages, flushes + compactions, warnings) are counted per this bin when the chart is not binned. */
export const COUNT_BIN_MS = 60_000;

/** Round bin widths, smallest first: the first that fits the points under the cap is used. */
export const NICE_BINS = [1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 6 * 3_600_000, 86_400_000];

/** One event on one lane. */
export interface LanePoint {
  node: string;
  lane: Lane;
  t: number;
  value: number;
  label: string;
}

/** One point the chart draws: an event, or a bin of `n` events. */
export interface DrawnPoint {
  node: string;
  lane: Lane;
  t: number;
  value: number;
  n: number;
  label: string;
}

/** The StatusLogger dump a pool/table row belongs to (node, file and the dump's header line). */
export const dumpKey = (e: LogEvent) => `${e.node}|${e.file}|${e.dump ?? e.line}`;

/** An epoch time as ISO-8601, null for none. */
export const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Whether a lane counts events (summed per bin) rather than measuring them (max per bin). */
export const isCountLane = (l: Lane) => TIMELINE_LANES.find((x) => x.lane === l)!.agg === "sum";

/** Points per (node, lane, bin): the lane's max or sum, with the label of the largest. */
export function aggregate(points: LanePoint[], bin: number): DrawnPoint[] {
  const aggOf = new Map(TIMELINE_LANES.map((l) => [l.lane, l.agg] as const));
  const m = new Map<string, DrawnPoint & { best: number }>();
  for (const p of points) {
    const t = Math.floor(p.t / bin) * bin;
    const k = `${p.node}|${p.lane}|${t}`;
    const g = m.get(k);
    if (!g) m.set(k, { node: p.node, lane: p.lane, t, value: p.value, n: 1, label: p.label, best: p.value });
    else {
      g.n++;
      g.value = aggOf.get(p.lane) === "sum" ? g.value + p.value : Math.max(g.value, p.value);
      if (p.value > g.best) {
        g.best = p.value;
        g.label = p.label;
      }
    }
  }
  return [...m.values()]
    .map(({ best: _b, ...rest }) => ({ ...rest, label: rest.n > 1 ? `${rest.n} events; largest: ${rest.label}` : rest.label }))
    .sort((a, b) => a.t - b.t);
}

/**
 * The points the chart draws: every event (count lanes per COUNT_BIN_MS), or bins of `asked` ms,
 * or — past MAX_CHART_POINTS — the smallest round bin that fits; a bin too small for the span
 * keeps the largest MAX_CHART_POINTS points and says so in `notes`.
 */
export function binPoints(
  points: LanePoint[],
  asked: number | undefined,
  notes: string[],
): { bin: number | undefined; drawn: DrawnPoint[]; capped: DrawnPoint[] } {
  const series = new Set(points.map((p) => `${p.node}|${p.lane}`)).size || 1;
  const span = points.length ? points[points.length - 1].t - points[0].t : 0;
  let bin = asked;
  if (bin === undefined && points.length > MAX_CHART_POINTS) {
    const perSeries = Math.max(1, Math.floor(MAX_CHART_POINTS / series));
    bin = NICE_BINS.find((b) => span / b <= perSeries) ?? Math.ceil(span / perSeries);
  }
  // Count lanes are always counts per bin (per COUNT_BIN_MS when the chart is not binned): single events would all read "1".
  const countBin = bin ?? COUNT_BIN_MS;
  const drawn = bin
    ? aggregate(points, bin)
    : points
        .filter((p) => !isCountLane(p.lane))
        .map((p) => ({ node: p.node, lane: p.lane, t: p.t, value: p.value, n: 1, label: p.label }))
        .concat(
          aggregate(
            points.filter((p) => isCountLane(p.lane)),
            countBin,
          ),
        )
        .sort((a, b) => a.t - b.t);
  // A too-small bin given by the user must still respect the cap.
  let capped = drawn;
  if (capped.length > MAX_CHART_POINTS) {
    capped = capped
      .slice()
      .sort((a, b) => b.value - a.value)
      .slice(0, MAX_CHART_POINTS)
      .sort((a, b) => a.t - b.t);
    notes.push(
      `The chart keeps the ${MAX_CHART_POINTS.toLocaleString("en-US")} largest of ${drawn.length.toLocaleString("en-US")} points (bin ${bin} ms is too small for the span).`,
    );
  }
  return { bin, drawn, capped };
}
