/**
 * Notebook parameters, papermill's convention in TypeScript: the cell tagged `parameters` declares
 * each parameter with a literal default (`const source = "../datasets/lab-3node";`,
 * `let windowMinutes: number = 60;`), and `cassperf run -p name value` injects a cell tagged
 * `injected-parameters` right after it that redeclares the overridden ones.
 *
 * Values given on the command line are text; each is checked against the parameter's type — its
 * annotation when it has one, else the type of its literal default — BEFORE anything runs, so a
 * wrong value stops the run with a message naming the parameter. Pure functions, no I/O.
 */
import { CassperfError } from "../errors";

/** The types a parameter can have (unions of these are allowed in annotations). */
export type ParamType = "string" | "number" | "boolean" | "null" | "string[]" | "number[]" | { literal: string };

/** One declaration of the parameters cell. */
export interface Parameter {
  name: string;
  /** `const`, `let` or `var`, as written. */
  keyword: string;
  /** The annotation as written (e.g. `string | null`), if any. */
  annotation?: string;
  /** The accepted types (a union). */
  types: ParamType[];
  /** The default's source text. */
  defaultText: string;
}

/** A notebook as nbformat 4 JSON (only what we touch). */
export interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[]; [k: string]: unknown }; [k: string]: unknown }[];
  metadata: Record<string, unknown>;
  [k: string]: unknown;
}

const DECLARATION = /^\s*(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*(.+?)\s*;?\s*(?:\/\/.*)?$/;

/** A cell's source as one string. */
export function cellSource(cell: { source: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Index of the cell tagged `parameters`, or -1. */
export function parametersCellIndex(nb: NotebookJson): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && (c.metadata?.tags ?? []).includes("parameters"));
}

/** The type of a literal's source text, or undefined when it is not a plain literal. */
export function literalType(text: string): ParamType | undefined {
  const t = text.trim();
  if (/^(["'`]).*\1$/s.test(t)) return "string";
  if (/^-?(\d[\d_]*)(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return "number";
  if (t === "true" || t === "false") return "boolean";
  if (t === "null") return "null";
  if (/^\[.*\]$/s.test(t)) {
    const inner = t.slice(1, -1).trim();
    if (inner === "") return "string[]";
    const items = splitTopLevel(inner).map(literalType);
    if (items.every((x) => x === "string")) return "string[]";
    if (items.every((x) => x === "number")) return "number[]";
  }
  return undefined;
}

/** Types named by an annotation such as `string | null` or `"ONE" | "QUORUM"`. */
export function annotationTypes(annotation: string): ParamType[] | undefined {
  const out: ParamType[] = [];
  for (const part of annotation
    .split("|")
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (["string", "number", "boolean", "null", "string[]", "number[]"].includes(part)) out.push(part as ParamType);
    else if (part === "Array<string>") out.push("string[]");
    else if (part === "Array<number>") out.push("number[]");
    else if (/^(["']).*\1$/.test(part)) out.push({ literal: part.slice(1, -1) });
    else if (part === "undefined") out.push("null");
    else return undefined;
  }
  return out.length ? out : undefined;
}

/** The declarations of the parameters cell. Lines that are not simple declarations are ignored. */
export function parseParameters(source: string): Parameter[] {
  const params: Parameter[] = [];
  for (const line of source.split("\n")) {
    const m = DECLARATION.exec(line);
    if (!m) continue;
    const [, keyword, name, annotation, defaultText] = m;
    const types = annotation ? annotationTypes(annotation) : undefined;
    const lit = literalType(defaultText);
    const resolved = types ?? (lit ? [lit] : undefined);
    if (!resolved) continue; // not a literal we can check: not a run-time parameter
    params.push({ name, keyword, ...(annotation ? { annotation: annotation.trim() } : {}), types: resolved, defaultText });
  }
  return params;
}

function describe(types: ParamType[]): string {
  return types.map((t) => (typeof t === "string" ? t : JSON.stringify(t.literal))).join(" | ");
}

/**
 * Convert a command-line value to the TypeScript literal for `param`, or throw a CassperfError
 * naming the parameter and what was expected.
 */
export function literalFor(param: Parameter, value: string): string {
  const accepts = (t: Exclude<ParamType, { literal: string }>) => param.types.includes(t);
  const literals = param.types.filter((t): t is { literal: string } => typeof t !== "string");
  if (value === "null" && accepts("null")) return "null";
  if (literals.some((l) => l.literal === value)) return JSON.stringify(value);
  if (accepts("number") && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim())) {
    // 1e999 is Infinity, which is no TypeScript number literal (and no useful parameter).
    if (!Number.isFinite(Number(value)))
      throw new CassperfError(
        `parameter "${param.name}" expects a finite number, but -p ${param.name} gave ${JSON.stringify(value)}, which is beyond the largest double (about 1.8e308).`,
        { hint: `e.g. -p ${param.name} ${exampleFor("number")}` },
      );
    return String(Number(value));
  }
  if (accepts("boolean") && (value === "true" || value === "false")) return value;
  if (accepts("string[]") || accepts("number[]")) {
    const items = parseList(value);
    if (items && accepts("number[]") && items.every((x) => typeof x === "number")) return JSON.stringify(items);
    if (items && accepts("string[]")) return JSON.stringify(items.map(String));
  }
  if (accepts("string")) return JSON.stringify(value);
  const expected = describe(param.types);
  throw new CassperfError(
    `parameter "${param.name}" expects ${expected} (the parameters cell sets ${param.defaultText}), but -p ${param.name} gave ${JSON.stringify(value)}.`,
    { hint: `e.g. -p ${param.name} ${exampleFor(param.types[0])}` },
  );
}

function exampleFor(t: ParamType | undefined): string {
  if (t === undefined || t === "string") return "text";
  if (t === "number") return "60";
  if (t === "boolean") return "true";
  if (t === "null") return "null";
  if (t === "string[]") return "ONE,QUORUM";
  if (t === "number[]") return "1,2,3";
  return JSON.stringify(t.literal);
}

/** A list value: JSON (`["a","b"]`, `[1,2]`) or comma-separated (`a,b`). */
function parseList(value: string): unknown[] | undefined {
  const v = value.trim();
  if (v.startsWith("[")) {
    try {
      const parsed = JSON.parse(v) as unknown;
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  const parts = v === "" ? [] : v.split(",").map((s) => s.trim());
  return parts.every((p) => /^-?\d+(\.\d+)?$/.test(p)) && parts.length ? parts.map(Number) : parts;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let cur = "";
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    if (ch === "[" || ch === "{" || ch === "(") depth++;
    if (ch === "]" || ch === "}" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Return a copy of `nb` with the given values injected after the parameters cell (replacing an
 * earlier injected cell). Throws a CassperfError, before anything runs, for a notebook without a
 * parameters cell, an unknown name, or a value of the wrong type.
 */
export function injectParameters(nb: NotebookJson, values: [string, string][], notebookName = "the notebook"): NotebookJson {
  const out = JSON.parse(JSON.stringify(nb)) as NotebookJson;
  out.cells = out.cells.filter((c) => !(c.metadata?.tags ?? []).includes("injected-parameters"));
  if (values.length === 0) return out;
  const at = parametersCellIndex(out);
  if (at < 0) {
    throw new CassperfError(`${notebookName} has no cell tagged "parameters", so -p ${values[0][0]} has nowhere to go.`, {
      hint: 'tag the cell that declares the parameters with "parameters" (View > Cell Toolbar > Tags in Jupyter)',
    });
  }
  const params = parseParameters(cellSource(out.cells[at]));
  const lines = ["// Parameters injected by `cassperf run` (they override the defaults above)."];
  const injected: Record<string, unknown> = {};
  for (const [name, value] of values) {
    const p = params.find((x) => x.name === name);
    if (!p) {
      throw new CassperfError(
        `-p ${name}: ${notebookName} has no parameter "${name}"; its parameters are ${params.map((x) => x.name).join(", ") || "(none)"}.`,
      );
    }
    const literal = literalFor(p, value);
    lines.push(`${p.keyword} ${p.name}${p.annotation ? `: ${p.annotation}` : typeAnnotation(p)} = ${literal};`);
    injected[name] = JSON.parse(literal);
  }
  out.cells.splice(at + 1, 0, {
    cell_type: "code",
    id: "injected-parameters",
    execution_count: null,
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    source: lines.join("\n"),
  });
  out.metadata = { ...out.metadata, cassperf: { ...((out.metadata.cassperf as object) ?? {}), parameters: injected } };
  return out;
}

/** Without an annotation, `let x = 60` is a number: keep the redeclaration's type as wide. */
function typeAnnotation(p: Parameter): string {
  const t = p.types[0];
  return p.types.length === 1 && typeof t === "string" && t !== "null" ? `: ${t}` : "";
}
