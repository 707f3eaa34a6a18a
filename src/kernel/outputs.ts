/**
 * What a cell shows: turning a cell's value into Jupyter MIME bundles, and a thrown error into
 * Jupyter's `ename` / `evalue` / `traceback`.
 *
 * Value protocols, most specific first:
 *  - `[Symbol.for("cassperf.outputs")]()` — cassperf reports: a list of bundles (summary and
 *    findings as Markdown, then the chart: Vega-Lite + PNG + text). All but the last become
 *    display_data, the last the cell's execute_result.
 *  - `[Symbol.for("Jupyter.display")]()` — Deno's convention: one bundle, the execute_result.
 *  - a danfojs DataFrame or Series (`(await gcStats()).pauses`): a table of its first and last rows
 *    with its shape and the units its column names carry, as text/html, text/markdown and
 *    text/plain (../present/frame-table.ts) — not danfojs's internals.
 *  - anything else: `util.inspect` as text/plain (a value's own `util.inspect.custom` is honoured,
 *    which is how reports render as text in the REPL).
 *
 * Errors: a CassperfError (name "CassperfError") is the user's mistake, so it shows as one short
 * message plus its hint and no stack from inside the library, unless CASSPERF_STACK=1 is set in
 * the kernel's environment (or `process.env.CASSPERF_STACK = "1"` in a cell). Anything else is a
 * bug or a JavaScript error and keeps its stack, minus the kernel's own frames.
 */
import * as util from "node:util";
import { danfoKind, danfoPreview, frameBundle, type DanfoLike } from "../present/frame-table";

/** A Jupyter MIME bundle: MIME type -> data (strings, or JSON for +json types). */
export type MimeBundle = Record<string, unknown>;

/** Jupyter's error triple, as sent in execute_reply and the `error` iopub message. */
export interface KernelError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The value protocols' keys (the same symbols Report implements in ../present/report.ts). */
const DISPLAY = Symbol.for("Jupyter.display");
const OUTPUTS = Symbol.for("cassperf.outputs");
/** The frame name a report puts on the DataFrames it builds (../present/report.ts FRAME_NAME). */
const FRAME_NAME = Symbol.for("cassperf.frameName");

/** The bundles a value shows as, in order; the last one is the cell's execute_result. */
export async function valueBundles(value: unknown): Promise<MimeBundle[]> {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const v = value as Record<symbol, unknown>;
    if (typeof v[OUTPUTS] === "function") {
      const list = (await (v[OUTPUTS] as () => unknown)()) as unknown;
      if (Array.isArray(list) && list.length > 0) return list.map((b) => withTextPlain(b as MimeBundle, value));
    }
    if (typeof v[DISPLAY] === "function") {
      const bundle = (await (v[DISPLAY] as () => unknown)()) as MimeBundle;
      return [withTextPlain(bundle, value)];
    }
    const kind = danfoKind(value);
    if (kind) {
      const name = (value as Record<symbol, unknown>)[FRAME_NAME];
      return [frameBundle(danfoPreview(value as DanfoLike, kind, typeof name === "string" ? { name } : {}))];
    }
  }
  return [{ "text/plain": inspectValue(value) }];
}

/** A bundle's Jupyter display metadata (e.g. a 2× PNG's width at 1×), set by the presenters under a symbol key. */
export function bundleMetadata(bundle: MimeBundle): Record<string, unknown> {
  const m = (bundle as Record<symbol, unknown>)[Symbol.for("cassperf.metadata")];
  return m && typeof m === "object" ? (m as Record<string, unknown>) : {};
}

/** Jupyter requires text/plain in every bundle; fill it when a protocol left it out. */
function withTextPlain(bundle: MimeBundle, value: unknown): MimeBundle {
  if (!bundle || typeof bundle !== "object") return { "text/plain": inspectValue(value) };
  return "text/plain" in bundle ? bundle : { ...bundle, "text/plain": inspectValue(value) };
}

/** Plain-text rendering of any value (no colour codes: notebooks store them verbatim). */
export function inspectValue(value: unknown): string {
  return util.inspect(value, { colors: false, depth: 2, maxArrayLength: 50, maxStringLength: 2000, breakLength: 100 });
}

/** Frames from the kernel itself and tslab: noise in a user's traceback. */
const KERNEL_FRAME =
  /[\\/](tslab[\\/]dist|kernel[\\/](launcher|engine|outputs)\.js)|\(node:|^\s*at node:|^\s*at (new Promise|process\.processTicksAndRejections)/;

/** Whether the user asked for full stacks of CassperfErrors too. */
export function wantStacks(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CASSPERF_STACK ?? "");
}

/** Convert anything thrown into Jupyter's error triple. */
export function toKernelError(e: unknown): KernelError {
  if (e instanceof Error || (e !== null && typeof e === "object" && "message" in (e as object))) {
    const err = e as Error & { hint?: string };
    const ename = err.name || "Error";
    const evalue = String(err.message ?? "");
    if (ename === "CassperfError" && !wantStacks()) {
      const traceback = [`${ename}: ${evalue}`];
      if (err.hint) traceback.push(`  hint: ${err.hint}`);
      return { ename, evalue: err.hint ? `${evalue} (hint: ${err.hint})` : evalue, traceback };
    }
    const stack = typeof err.stack === "string" ? err.stack.split("\n") : [`${ename}: ${evalue}`];
    const traceback = stack.filter((line, i) => i === 0 || !KERNEL_FRAME.test(line));
    if (err.hint) traceback.push(`  hint: ${err.hint}`);
    return { ename, evalue, traceback };
  }
  const text = inspectValue(e);
  return { ename: "Error", evalue: `a non-Error value was thrown: ${text}`, traceback: [`thrown: ${text}`] };
}

/** TypeScript diagnostics (one string per diagnostic) as a Jupyter error. */
export function diagnosticsError(lines: string[]): KernelError {
  return { ename: "TypeScriptError", evalue: lines[0] ?? "the cell does not compile", traceback: lines };
}
