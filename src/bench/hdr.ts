/**
 * HdrHistogram helpers for bench: one place that decides the unit (microseconds), the precision
 * (3 significant digits), how histograms are encoded for a saved run, and how percentiles and the
 * percentile spectrum are read from them.
 *
 * Why HdrHistogram: percentiles of a whole run must come from the merged distribution — averaging
 * per-second p99s is wrong — and a saved, encoded histogram lets later runs be merged and compared
 * exactly (Gil Tene's HdrHistogram, as cassandra-stress 3.0+ and latte use).
 */
import type { Histogram } from "hdr-histogram-js";

export type { Histogram };

/** Recorded unit: microseconds. Reports show milliseconds. */
export const HDR_UNIT = "us";
/** Significant digits kept: 3 -> values within 0.1% (HdrHistogram's usual setting, cassandra-stress uses 3). */
const HDR_SIGNIFICANT_DIGITS = 3;
/** Highest trackable value: one hour in microseconds (auto-resize covers anything longer). */
const HDR_HIGHEST_US = 3_600_000_000;

/** hdr-histogram-js, loaded on first use (it is slow to load; most imports never need it). */
function hdr(): typeof import("hdr-histogram-js") {
  return require("hdr-histogram-js") as typeof import("hdr-histogram-js");
}

/** A new latency histogram (microseconds). */
export function newHistogram(): Histogram {
  return hdr().build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HDR_HIGHEST_US,
    numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS,
    autoResize: true,
  });
}

/** Record a latency given in milliseconds (fractions kept to the microsecond; at least 1 µs). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(ms > 0.001 ? Math.round(ms * 1000) : 1);
}

/** Encode for a saved run (HdrHistogram's compressed base64 V2 format, readable by the Java and Go libraries too). */
export function encodeHistogram(h: Histogram): string {
  return hdr().encodeIntoCompressedBase64(h);
}

/** Decode a histogram saved by {@link encodeHistogram}. */
export function decodeHistogram(base64: string): Histogram {
  return hdr().decodeFromCompressedBase64(base64);
}

/** Merge histograms into a new one (counts add; percentiles of the result are exact to the histogram's precision). */
export function mergeHistograms(hs: Histogram[]): Histogram {
  const out = newHistogram();
  for (const h of hs) out.add(h);
  return out;
}

/** Headline percentiles in milliseconds; nulls for an empty histogram. */
export interface LatencyPercentiles {
  count: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  p99_9_ms: number | null;
  max_ms: number | null;
}

const ms = (us: number) => Math.round(us) / 1000;

/**
 * Value at a percentile, in µs. HdrHistogram reports a bucket's highest equivalent value, which can
 * exceed the largest value recorded by up to 0.1%; clamp to the recorded max so p99 <= max always.
 */
function valueAt(h: Histogram, percentile: number): number {
  return Math.min(h.getValueAtPercentile(percentile), h.maxValue);
}

/** The percentiles every frame shows, read from one histogram. */
export function percentiles(h: Histogram): LatencyPercentiles {
  if (h.totalCount === 0) return { count: 0, mean_ms: null, p50_ms: null, p95_ms: null, p99_ms: null, p99_9_ms: null, max_ms: null };
  return {
    count: h.totalCount,
    mean_ms: Math.round(h.mean) / 1000,
    p50_ms: ms(valueAt(h, 50)),
    p95_ms: ms(valueAt(h, 95)),
    p99_ms: ms(valueAt(h, 99)),
    p99_9_ms: ms(valueAt(h, 99.9)),
    max_ms: ms(h.maxValue),
  };
}

/** The headline latency percentiles of a row, in ms (null when nothing was measured). */
export type RowPercentiles = Omit<LatencyPercentiles, "count">;

/** A row's percentiles from one histogram, to spread into an interval or op row (keys in the rows' order: p50 .. max, mean). */
export function rowPercentiles(h: Histogram): RowPercentiles {
  const p = percentiles(h);
  return { p50_ms: p.p50_ms, p95_ms: p.p95_ms, p99_ms: p.p99_ms, p99_9_ms: p.p99_9_ms, max_ms: p.max_ms, mean_ms: p.mean_ms };
}

/**
 * The percentile spectrum (the "HDR plot"): latency at percentiles spaced evenly on a log scale of
 * 1/(1-p), from 0 up to the last percentile the sample can support (one in totalCount), plus 100.
 */
export function spectrum(h: Histogram, stepsPerDecade = 10): { percentile: number; latency_ms: number }[] {
  if (h.totalCount === 0) return [];
  const out: { percentile: number; latency_ms: number }[] = [];
  const maxDecades = Math.max(1, Math.log10(h.totalCount));
  for (let k = 0; k <= maxDecades * stepsPerDecade; k++) {
    const p = 100 * (1 - 10 ** (-k / stepsPerDecade));
    out.push({ percentile: Math.round(p * 10000) / 10000, latency_ms: ms(valueAt(h, p)) });
  }
  out.push({ percentile: 100, latency_ms: ms(h.maxValue) });
  return out;
}
