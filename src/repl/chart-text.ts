/**
 * A report's chart drawn in the terminal, from the chart's own Vega-Lite spec and its inline data
 * (no vega: that would cost a second on the first report).
 *
 * Three shapes cover the helpers' charts:
 *  - categories: one axis nominal/ordinal, the other a number or a count → horizontal bars
 *    (█ with eighth-block ends), one row per category;
 *  - a series: x temporal/quantitative, y quantitative → a block chart (▁▂▃▄▅▆▇█, several rows),
 *    one column per slice of x showing the slice's maximum (the worst pause must stay visible);
 *  - a histogram: an axis with `bin` → bars per bin.
 * Anything else (facets, URLs, maps) gets one line saying how to see it (`:save`).
 */
import type { VegaLiteSpec } from "../present/chart";
import { displayWidth, padEndColumns, paint as paintStyle } from "../present/color";
import { truncate } from "../present/terminal";
import { mean, median, minMax } from "../statistics/statistics";
import { formatValue } from "../present/report";
import { parseUtc } from "../parse/utc-time";
import { parseLogDate } from "../parse/system-log";

export interface ChartTextOptions {
  /** Columns available. Default 80. */
  width?: number;
  /** Rows of a series chart. Default 8. */
  height?: number;
  /** ANSI colours. Default false. */
  color?: boolean;
}

/** Most bars in a category chart or histogram. */
const MAX_BARS = 15;
/** Most panels of a faceted chart. */
const MAX_FACETS = 6;

type Enc = { field?: string; type?: string; aggregate?: string; bin?: unknown; title?: unknown; timeUnit?: string };
type Row = Record<string, unknown>;

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const BLOCKS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** The chart as terminal lines (title first). */
export function chartToText(name: string, spec: VegaLiteSpec, options: ChartTextOptions = {}): string[] {
  const width = Math.max(30, options.width ?? 80);
  const paint = (s: string) => paintStyle("cyan", s, options.color === true);
  const title = titleOf(spec) ?? name;
  const head = truncate(`chart ${name}: ${title}`, width);
  const facet = facetOf(spec);
  if (facet) {
    // One small chart per facet value (e.g. one per node), each titled by its value.
    const groups = new Map<string, Row[]>();
    for (const r of facet.values) {
      const k = formatValue(r[facet.field]);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(r);
    }
    const out = [head];
    for (const [k, rows] of [...groups].slice(0, MAX_FACETS)) {
      const sub = chartToText(
        name,
        { ...facet.inner, title: `${facet.field} ${k}`, data: { values: rows } },
        { ...options, height: Math.max(3, Math.floor((options.height ?? 8) / 2)) },
      );
      out.push(...sub.map((l, i) => (i === 0 ? `  ${l.replace(/^chart [^:]+: /, "")}` : l)));
    }
    if (groups.size > MAX_FACETS) out.push(`  (${groups.size - MAX_FACETS} more ${facet.field} values: :save ${name} ${name}.png shows all)`);
    return out;
  }
  const unit = unitSpec(spec);
  const fallback = (why: string) => [head, `  (${why}; :save ${name} ${name}.png to see it)`];
  if (!unit) return fallback("a layout the terminal cannot draw");
  const rows = unit.values;
  if (!rows.length) return [head, "  (no data)"];
  const x = unit.encoding.x;
  const y = unit.encoding.y;
  if (!x && !y) return fallback("no x/y encoding");
  const isCat = (e?: Enc) => !!e && (e.type === "nominal" || e.type === "ordinal") && !!e.field;
  const isNum = (e?: Enc) => !!e && (e.type === "quantitative" || e.type === "temporal" || !!e.aggregate);
  if (x?.bin || y?.bin) {
    const binned = (x?.bin ? x : y)!;
    if (!binned.field) return fallback("a binned axis without a field");
    return [head, ...histogram(rows.map((r) => toNumber(r[binned.field!])).filter(isFiniteNumber), binned.field, width, MAX_BARS, paint)];
  }
  if (isCat(y) && isNum(x)) return [head, ...categoryBars(rows, y!, x!, width, MAX_BARS, paint)];
  if (isCat(x) && isNum(y)) return [head, ...categoryBars(rows, x!, y!, width, MAX_BARS, paint)];
  if (x?.field && y?.field && isNum(x) && isNum(y) && !y.aggregate) return [head, ...series(rows, x, y, width, options.height ?? 8, paint)];
  return fallback(`a ${unit.mark} chart of this shape`);
}

function titleOf(spec: VegaLiteSpec): string | undefined {
  const t = spec.title as unknown;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.join(" ");
  if (t && typeof t === "object" && "text" in t) return String((t as { text: unknown }).text);
  return undefined;
}

/** A faceted chart (`facet` + `spec`, inline data): its facet field, inner spec and rows. */
function facetOf(spec: VegaLiteSpec): { field: string; inner: VegaLiteSpec; values: Row[] } | undefined {
  const f = spec.facet as { field?: string; row?: { field?: string }; column?: { field?: string } } | undefined;
  const inner = spec.spec as VegaLiteSpec | undefined;
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  if (!f || !inner || !Array.isArray(values)) return undefined;
  const field = f.field ?? f.row?.field ?? f.column?.field;
  return field ? { field, inner, values: values as Row[] } : undefined;
}

/** The first drawable single view: its mark, encoding and inline rows (data may sit on a parent). */
function unitSpec(spec: VegaLiteSpec, inherited?: unknown): { mark: string; encoding: Record<string, Enc | undefined>; values: Row[] } | undefined {
  const data = (spec.data as { values?: unknown } | undefined) ?? (inherited as { values?: unknown } | undefined);
  for (const key of ["layer", "vconcat", "hconcat", "concat"]) {
    const parts = spec[key];
    if (Array.isArray(parts)) {
      for (const p of parts) {
        const u = unitSpec(p as VegaLiteSpec, data);
        if (u) return u;
      }
      return undefined;
    }
  }
  if (!spec.mark || !spec.encoding) return undefined;
  const values = data && Array.isArray(data.values) ? (data.values as Row[]) : undefined;
  if (!values) return undefined;
  const mark = typeof spec.mark === "string" ? spec.mark : String((spec.mark as { type?: unknown }).type);
  return { mark, encoding: spec.encoding as Record<string, Enc | undefined>, values };
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    const n = Number(v);
    if (v.trim() !== "" && Number.isFinite(n)) return n;
    // Times as UTC whatever the process's TZ: ISO 8601 (no zone = UTC), else the other shapes logs are written in.
    const t = parseUtc(v);
    return Number.isFinite(t) ? t : (parseLogDate(v.trim(), undefined) ?? NaN);
  }
  return NaN;
}
const isFiniteNumber = (n: number) => Number.isFinite(n);

function label(e: Enc): string {
  if (typeof e.title === "string") return e.title;
  if (e.aggregate === "count" && !e.field) return "count";
  return e.aggregate && e.aggregate !== "sum" ? `${e.aggregate}(${e.field})` : (e.field ?? "");
}

/** Horizontal bars, one per category, of the value aggregated as the encoding says (default sum). */
function categoryBars(rows: Row[], cat: Enc, val: Enc, width: number, maxBars: number, paint: (s: string) => string): string[] {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const k = formatValue(r[cat.field!]);
    const v = val.aggregate === "count" ? 1 : toNumber(val.field ? r[val.field] : 1);
    if (!groups.has(k)) groups.set(k, []);
    if (Number.isFinite(v)) groups.get(k)!.push(v);
  }
  const agg = (vs: number[]) => {
    if (!vs.length) return 0;
    switch (val.aggregate) {
      case "count":
        return vs.length;
      case "mean":
      case "average":
        return mean(vs);
      case "max":
        return minMax(vs)[1];
      case "min":
        return minMax(vs)[0];
      case "median":
        // Vega-Lite's median (d3.median): the mean of the two middle values of an even count.
        return median(vs);
      default:
        return vs.reduce((a, b) => a + b, 0);
    }
  };
  let bars = [...groups].map(([k, vs]) => ({ k, v: agg(vs) }));
  // An explicit sort order (e.g. log-spaced bins) wins over first-seen order.
  const order = (cat as { sort?: unknown }).sort;
  if (Array.isArray(order)) {
    const rank = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
    bars = [...bars].sort((a, b) => rank(a.k) - rank(b.k));
  }
  const out: string[] = [];
  if (bars.length > maxBars) {
    out.push(`  (largest ${maxBars} of ${bars.length} ${cat.field} values)`);
    bars = [...bars].sort((a, b) => b.v - a.v).slice(0, maxBars);
  }
  const keyWidth = Math.min(24, Math.max(...bars.map((b) => displayWidth(b.k))));
  const numbers = bars.map((b) => formatValue(b.v));
  const numWidth = Math.max(...numbers.map((n) => n.length));
  const barWidth = Math.max(5, width - keyWidth - numWidth - 6);
  const max = Math.max(...bars.map((b) => b.v), 0);
  bars.forEach((b, i) => {
    out.push(
      `  ${padEndColumns(truncate(b.k, keyWidth), keyWidth)} ${paint(blockBar(max > 0 ? b.v / max : 0, barWidth).padEnd(barWidth))} ${numbers[i].padStart(numWidth)}`,
    );
  });
  out.push(`  ${" ".repeat(keyWidth)} ${label(val)} per ${cat.field}`);
  return out;
}

/** A bar of `fraction` × `width` cells, with an eighth-block end. */
export function blockBar(fraction: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** A histogram of numbers in up to `maxBars` equal bins. */
function histogram(values: number[], field: string, width: number, maxBars: number, paint: (s: string) => string): string[] {
  if (!values.length) return ["  (no numeric values)"];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = min === max ? 1 : Math.min(maxBars, Math.max(5, Math.ceil(Math.sqrt(values.length))));
  const step = (max - min) / n || 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - min) / step))]++;
  const labels = counts.map((_, i) => `${formatValue(min + i * step)}–${formatValue(min + (i + 1) * step)}`);
  const keyWidth = Math.max(...labels.map((l) => l.length));
  const numWidth = Math.max(...counts.map((c) => formatValue(c).length));
  const barWidth = Math.max(5, width - keyWidth - numWidth - 6);
  const top = Math.max(...counts);
  const out = counts.map(
    (c, i) => `  ${labels[i].padStart(keyWidth)} ${paint(blockBar(c / top, barWidth).padEnd(barWidth))} ${formatValue(c).padStart(numWidth)}`,
  );
  out.push(`  ${" ".repeat(keyWidth)} count per ${field} bin`);
  return out;
}

/** A block chart of y over x: each column is the maximum y of its slice of x. */
function series(rows: Row[], x: Enc, y: Enc, width: number, height: number, paint: (s: string) => string): string[] {
  const pts = rows.map((r) => [toNumber(r[x.field!]), toNumber(r[y.field!])] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (!pts.length) return ["  (no numeric points)"];
  pts.sort((a, b) => a[0] - b[0]);
  const x0 = pts[0][0];
  const x1 = pts[pts.length - 1][0];
  const yMax = Math.max(...pts.map((p) => p[1]));
  const yMin = Math.min(0, ...pts.map((p) => p[1]));
  const axisWidth = Math.max(formatValue(yMax).length, formatValue(yMin).length);
  // x is time or a measure: columns are equal slices of it, so gaps in time stay visible.
  const cols = Math.max(10, Math.min(width - axisWidth - 4, 100));
  const colMax = new Array<number>(cols).fill(NaN);
  for (const [px, py] of pts) {
    const c = x1 === x0 ? 0 : Math.min(cols - 1, Math.floor(((px - x0) / (x1 - x0)) * cols));
    if (!(colMax[c] >= py)) colMax[c] = py;
  }
  const range = yMax - yMin || 1;
  const out: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    let line = "";
    for (const v of colMax) {
      if (!Number.isFinite(v)) {
        line += " ";
        continue;
      }
      const level = ((v - yMin) / range) * height * 8 - row * 8;
      line += BLOCKS[Math.max(0, Math.min(8, Math.round(level)))];
    }
    const axis = row === height - 1 ? formatValue(yMax) : row === 0 ? formatValue(yMin) : "";
    out.push(`  ${axis.padStart(axisWidth)} ${paint(line.trimEnd())}`);
  }
  const fmtX = (v: number) =>
    x.type === "temporal"
      ? new Date(v)
          .toISOString()
          .replace("T", " ")
          .replace(/\.000Z$|Z$/, "")
      : formatValue(v);
  const from = fmtX(x0);
  const to = fmtX(x1);
  const gap = cols - from.length - to.length;
  out.push(`  ${" ".repeat(axisWidth)} ${gap >= 1 ? from + " ".repeat(gap) + to : `${from} → ${to}`}`);
  out.push(`  ${" ".repeat(axisWidth)} ${label(y)} (max per column) over ${label(x)}, ${pts.length.toLocaleString("en-US")} points`);
  return out;
}
