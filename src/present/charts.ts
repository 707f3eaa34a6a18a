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
 * the title. Source: ../shared/spikes/charts — 50,000 raw points cost 1.4 s and a 14 MB SVG,
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

/**
 * Keep at most `max` rows for plotting: every k-th row, always keeping the rows where `keep`
 * says so (e.g. the largest pauses must survive sampling). Returns the rows and whether sampling happened.
 */
export function sampleForChart<T>(rows: T[], max = MAX_CHART_POINTS, keep?: (row: T) => boolean): { rows: T[]; sampled: boolean } {
  if (rows.length <= max) return { rows, sampled: false };
  const kept = keep ? rows.filter(keep) : [];
  const step = Math.ceil(rows.length / Math.max(1, max - kept.length));
  const out: T[] = [];
  for (let i = 0; i < rows.length; i++) if (i % step === 0 || (keep && keep(rows[i]))) out.push(rows[i]);
  return { rows: out, sampled: true };
}
