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
      const png = await this.toPNG(2);
      return { "application/vnd.vegalite.v5+json": full, "image/png": png.toString("base64"), "text/plain": `<chart ${name}: ${String((full.title as { text?: string })?.text ?? full.title ?? "")}>` };
    },
  } as Chart;
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
    const note = !sampled ? "" : keptAll ? `sampled: ${fmt(out.length)} of ${fmt(rows.length)} shown` : `sampled: ${fmt(out.length)} of ${fmt(rows.length)} shown, an even sample of the ${fmt(asked)} that should all be kept (more than the ${fmt(limit)}-point limit)`;
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
