/**
 * Terminal colour and terminal width, in one place.
 *
 * Colour: whether to colour is decided once per output by `colorEnabled(stream)`, following the
 * conventions users set in their shell: FORCE_COLOR (Node's and chalk's: anything but "0"/"false"
 * forces colour, "0"/"false" turns it off), then NO_COLOR (https://no-color.org: present and not
 * empty turns colour off), then whether the stream is a terminal (piped output and files get none;
 * TERM=dumb gets none). The escapes themselves come from node:util `styleText` (Node ≥ 20.12),
 * never hand-written. The decision is ours rather than styleText's own stream check because that
 * check only exists from Node 20.20/22.13 (20.12's styleText always colours), and because callers
 * pass it explicitly (report.toText({ color })).
 *
 * Width: `displayWidth` is string-width's (East Asian Wide and Fullwidth characters and emoji take
 * two columns, combining marks and escapes none), so CJK table names and emoji line up.
 */
import * as util from "node:util";

/** The styles cassperf uses: severities (red/yellow/cyan), the prompt (green), secondary text. */
export type Style = "red" | "yellow" | "cyan" | "green" | "dim" | "bold";

/** Node's FORCE_COLOR values that turn colour off rather than on. */
const FORCE_COLOR_OFF = new Set(["0", "false"]);

/**
 * Whether output written to `stream` should be coloured, from FORCE_COLOR, NO_COLOR, TERM and
 * whether the stream is a terminal (in that order).
 * @example
 * const color = colorEnabled(process.stdout); // false under `| less`, or with NO_COLOR=1
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !FORCE_COLOR_OFF.has(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/** node:util styleText; @types/node 20.17 does not declare its options argument yet. */
const styleText = util.styleText as (format: Style | Style[], text: string, options?: { validateStream?: boolean }) => string;

/**
 * `text` in `style` when `on` (see {@link colorEnabled}), else `text` unchanged.
 * @example
 * paint("red", "[critical] pauses over 500 ms", colorEnabled(process.stdout))
 */
export function paint(style: Style | Style[], text: string, on: boolean): string {
  if (!on || text === "") return text;
  // validateStream: false — the decision was made by the caller; styleText only supplies the codes.
  return styleText(style, text, { validateStream: false });
}

/** Text without its colour escapes (node:util's own stripper). */
export function stripColor(text: string): string {
  return util.stripVTControlCharacters(text);
}

// string-width is an ES module; Node ≥ 20.19 loads it with require (hence package.json engines >= 20.19)
// (its type is written here: TypeScript 5.7 refuses to type an ES module's require from CommonJS).
// Loaded on first use: loading it costs every helper's process ~0.1 s of CPU at start, and helpers that
// print nothing (gcStats, logs, traces called from code) never need it.
let widthOf: ((text: string) => number) | undefined;
const stringWidth = (text: string): number => (widthOf ??= (require("string-width") as { default: (text: string) => number }).default)(text);

/**
 * Columns `text` takes in a terminal: CJK (East Asian Wide/Fullwidth) and emoji count 2, escapes
 * and combining marks 0.
 * @example displayWidth("日本語") // 6
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * The longest start of `text` that fits `width` columns, whole grapheme clusters only (an emoji
 * or a base letter with its accents is never split).
 */
export function sliceToWidth(text: string, width: number): string {
  if (width <= 0) return "";
  let out = "";
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}

/** `text` padded with spaces on the right to `width` columns (as String.padEnd, in columns). */
export function padEndColumns(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + " ".repeat(width - w);
}

/** `text` padded with spaces on the left to `width` columns (as String.padStart, in columns). */
export function padStartColumns(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : " ".repeat(width - w) + text;
}
