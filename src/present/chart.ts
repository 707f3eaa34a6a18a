/**
 * Charts: a Vega-Lite spec plus its rendering to SVG (vega, headless) and PNG (@resvg/resvg-js with
 * a real font file).
 *
 * vega and vega-lite are ESM-only (vega has a top-level await), so they are loaded with a real
 * `import()` the first time a chart is rendered: never on the REPL's start path, never with require.
 * Charts aggregate before they plot (see {@link MAX_CHART_POINTS}).
 */
import * as fs from "node:fs";

/** A Vega-Lite (v5-compatible) spec. Kept loose on purpose: specs are built by our own builders. */
export type VegaLiteSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * The most data points a chart hands to Vega. Above this, builders bin or sample and say so in
 * the title. Source: the design spike "charts" (not in this repository) — 50,000 raw points cost 1.4 s and a 14 MB SVG,
 * a binned version of the same data 0.18 s and 76 KB.
 */
export const MAX_CHART_POINTS = 5_000;

/** A rendered-on-demand chart. */
export interface Chart {
  /** The chart's name within its report, e.g. "pauses". */
  readonly name: string;
  /** The Vega-Lite spec (with inline data). */
  readonly spec: VegaLiteSpec;
  /** Render to SVG text. */
  toSVG(): Promise<string>;
  /** Render to PNG bytes at `scale` (default 2, crisp on high-DPI screens). */
  toPNG(scale?: number): Promise<Buffer>;
}

/** Font files tried in order for PNG rendering (Debian's fonts-dejavu-core first). */
export const FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
];

let vegaModules: Promise<{ vega: any; vl: any }> | undefined;
/** Load vega and vega-lite once (ESM, via a real dynamic import). */
export function loadVega(): Promise<{ vega: any; vl: any }> {
  vegaModules ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega, vl }));
  return vegaModules;
}

/** Build a Chart from a spec. Sets the schema, a white background and the DejaVu font. */
export function makeChart(name: string, spec: VegaLiteSpec): Chart {
  const full: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    background: "white",
    config: { font: "DejaVu Sans", view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14, anchor: "start" } },
    ...spec,
  };
  return {
    name,
    spec: full,
    async toSVG() {
      const { vega, vl } = await loadVega();
      const compiled = vl.compile(full as any).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: "none" });
      try {
        return await view.toSVG();
      } finally {
        view.finalize();
      }
    },
    async toPNG(scale = 2) {
      const svg = await this.toSVG();
      const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
      const fontFiles = FONT_FILES.filter((f) => fs.existsSync(f));
      const resvg = new Resvg(svg, {
        fitTo: { mode: "zoom", value: scale },
        font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: "DejaVu Sans" },
        background: "white",
      });
      return Buffer.from(resvg.render().asPng());
    },
    // A chart left as a cell's value shows itself in Jupyter (Deno's convention, used by the cassperf kernel).
    async [Symbol.for("Jupyter.display")]() {
      const png = await this.toPNG(PNG_SCALE);
      return withPngWidth(
        {
          "application/vnd.vegalite.v5+json": full,
          "image/png": png.toString("base64"),
          "text/plain": `<chart ${name}: ${String((full.title as { text?: string })?.text ?? full.title ?? "")}>`,
        },
        png,
      );
    },
  } as Chart;
}

/**
 * Where a MIME bundle carries its Jupyter display metadata (the kernel sends it as the message's
 * `metadata`); a symbol key, so JSON of the bundle itself is unchanged.
 */
export const BUNDLE_METADATA = Symbol.for("cassperf.metadata");

/**
 * Attach `{"image/png": {"width": W, "height": H}}` to a bundle whose PNG was rendered at
 * PNG_SCALE: the image has 2× pixels and is drawn at 1× size, so it stays crisp and readable on
 * GitHub and in nbconvert exports instead of showing twice as large.
 */
export function withPngWidth<B extends Record<string, unknown>>(bundle: B, png: Buffer, scale = PNG_SCALE): B {
  const { width, height } = pngSize(png);
  Object.defineProperty(bundle, BUNDLE_METADATA, {
    value: { "image/png": { width: Math.round(width / scale), height: Math.round(height / scale) } },
    enumerable: true,
  });
  return bundle;
}

/** Width and height of a PNG, read from its IHDR chunk (for tests and for sanity checks). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47) throw new Error("not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** What {@link sampleForChart} returns: the rows to plot and what the chart's title must say about them. */
export interface ChartSample<T> {
  rows: T[];
  /** True when rows were left out. */
  sampled: boolean;
  /** Rows before sampling. */
  total: number;
  /** Rows `keep` asked for. */
  asked: number;
  /** False when the rows asked for alone outnumbered `max`, so only an even sample of them is shown. */
  keptAll: boolean;
  /** Words for the chart's title, e.g. "sampled: 5,000 of 12,000 shown, 5,000 of the 12,000 rows that must be kept" ("" when not sampled). */
  note: string;
}

/**
 * Keep at most `max` rows for plotting (a promise: never more): every k-th row, always keeping
 * the rows where `keep` says so (e.g. the largest pauses must survive sampling). When the rows to
 * keep alone outnumber `max`, an evenly spaced `max` of THEM is shown and `keptAll` is false —
 * callers must then not claim in the title that every such row is drawn (use `note`).
 * @example const s = sampleForChart(pauses, MAX_CHART_POINTS, (p) => p.pause_ms >= 200); s.rows.length <= 5000
 */
export function sampleForChart<T>(rows: T[], max = MAX_CHART_POINTS, keep?: (row: T) => boolean): ChartSample<T> {
  const limit = Math.max(1, Math.floor(max));
  const flags = keep ? rows.map((r) => keep(r)) : undefined;
  const asked = flags ? flags.filter(Boolean).length : 0;
  const result = (out: T[], keptAll: boolean): ChartSample<T> => {
    const sampled = out.length < rows.length;
    const fmt = (n: number) => n.toLocaleString("en-US");
    const note = !sampled
      ? ""
      : keptAll
        ? `sampled: ${fmt(out.length)} of ${fmt(rows.length)} shown`
        : `sampled: ${fmt(out.length)} of ${fmt(rows.length)} shown, an even sample of the ${fmt(asked)} that should all be kept (more than the ${fmt(limit)}-point limit)`;
    return { rows: out, sampled, total: rows.length, asked, keptAll, note };
  };
  if (rows.length <= limit) return result(rows, true);
  if (flags && asked >= limit) {
    // Too many to keep: every k-th of them, at most `limit`.
    const keptRows = rows.filter((_, i) => flags[i]);
    return result(everyKth(keptRows, limit), asked === limit);
  }
  const step = Math.ceil(rows.length / (limit - asked));
  const out: T[] = [];
  for (let i = 0; i < rows.length; i++) if (i % step === 0 || flags?.[i]) out.push(rows[i]);
  return result(out, true);
}

/** At most `max` rows, evenly spaced, first row included. */
function everyKth<T>(rows: T[], max: number): T[] {
  if (rows.length <= max) return rows;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(rows[Math.floor((k * rows.length) / max)]);
  return out;
}

/**
 * Shorten a label to at most `max` characters by cutting its MIDDLE ("cassperf_demo.user_events" ->
 * "cassperf_d…er_events"): the end of a name (a table's suffix, a thread's number) is what tells two
 * labels apart, and an axis that cuts the end makes them look the same.
 * @example middleTruncate("127.0.0.2 (coord) SharedPool-Worker-12", 24) // "127.0.0.2 (c…-Worker-12"
 */
export function middleTruncate(s: string, max: number): string {
  if (s.length <= max || max < 3) return s;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (keep - head))}`;
}

/**
 * Labels for `names` of at most `max` characters each, cut in the middle, and distinct: when two
 * names would shorten to the same label, both keep their full text.
 */
export function distinctLabels(names: readonly string[], max: number): Map<string, string> {
  const short = new Map<string, string>();
  for (const n of new Set(names)) short.set(n, middleTruncate(n, max));
  const seen = new Map<string, number>();
  for (const s of short.values()) seen.set(s, (seen.get(s) ?? 0) + 1);
  for (const [n, s] of short) if ((seen.get(s) ?? 0) > 1) short.set(n, n);
  return short;
}

/** Axis settings for counts: whole-number ticks only (no "0.5 events"). */
export const COUNT_AXIS = { tickMinStep: 1, format: "d" } as const;

/**
 * The widest a chart may be drawn (px at 1×, legend and row headers included): facets wrap to more
 * rows rather than grow past it, so a chart fits a notebook or a GitHub page. Checked by test/charts.test.ts.
 */
export const MAX_CHART_WIDTH = 1400;

/** Pixels per drawn pixel of the PNGs cassperf embeds (notebooks, README, reports): crisp on high-DPI screens. */
export const PNG_SCALE = 2;

/**
 * A temporal x axis in UTC whose ticks carry the date when `times` span more than a day or cross
 * midnight ("Jul 20 06:00" rather than "06 AM" with the day only at midnight); within one day the
 * title names the date.
 */
export function utcTimeAxis(times: readonly (string | number | null | undefined)[], title = "time (UTC)"): Record<string, unknown> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    const ms = typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : NaN;
    if (!Number.isFinite(ms)) continue;
    if (ms < lo) lo = ms;
    if (ms > hi) hi = ms;
  }
  const days = hi > lo ? (hi - lo) / 86_400_000 : 0;
  // Past midnight (UTC) the ticks name the day too: "00:00" alone would read as the first day's.
  const manyDays = days > 1 || (Number.isFinite(lo) && new Date(lo).toISOString().slice(0, 10) !== new Date(hi).toISOString().slice(0, 10));
  const format = manyDays ? "%b %d %H:%M" : days > 1 / 24 ? "%H:%M" : "%H:%M:%S";
  return {
    title: manyDays ? title : `${title}${Number.isFinite(lo) ? `, ${new Date(lo).toISOString().slice(0, 10)}` : ""}`,
    scale: { type: "utc" },
    axis: { format, labelOverlap: true },
  };
}
