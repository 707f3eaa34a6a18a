/**
 * What TypeScript's language service cannot tell a notebook user, filled in from the running kernel:
 *  - completion inside a string after `.chart("` / `.rows("` (and `.frame(`, `.columns(`, `.count(`)
 *    offers the chart or frame names of the report the variable holds NOW (a report's names depend
 *    on its data, not its type), and after `open("` (and the helpers that take a path) the files
 *    and folders of the path typed so far, relative to the kernel's working directory;
 *  - hover with the cursor inside a call's parentheses (`gcStats(|)`) shows the called function;
 *  - a JavaScript error thrown by a cell points at the user's line in the cell, not at the
 *    compiled JavaScript tslab ran.
 * Pure functions over the cell text (plus a directory listing); the engine wires them in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { subjectOf } from "../registry";

/** A completion answer: replace code[start, end) with one of the candidates. */
export interface ValueCompletion {
  start: number;
  end: number;
  candidates: string[];
}

/** Methods whose first argument is a chart name or a frame name. */
const NAME_ARGUMENT: Record<string, "chartNames" | "frameNames"> = {
  chart: "chartNames",
  chartBundle: "chartNames",
  rows: "frameNames",
  frame: "frameNames",
  columns: "frameNames",
  count: "frameNames",
};

/**
 * Calls whose first argument is a path: open(), importStress(), and every helper of the registry
 * whose first argument names the source (./registry.ts subjectOf: a table, a query or a workload is
 * not completed as a file name). The kernel has loaded the helpers with its prelude before a
 * completion is asked.
 */
function takesPath(call: string): boolean {
  return call === "open" || call === "importStress" || subjectOf(call) === "source";
}

/** The string literal being typed at the end of `before`: its quote, content so far and the text before it. */
function openString(before: string): { prefix: string; head: string } | undefined {
  const m = /(["'])((?:[^"'\\\n]|\\.)*)$/.exec(before);
  if (!m) return undefined;
  // The quote must open a string, not close one: count the quotes of that kind before it.
  const head = before.slice(0, m.index);
  const quotes = (head.match(new RegExp(m[1] === '"' ? '(?<!\\\\)"' : "(?<!\\\\)'", "g")) ?? []).length;
  if (quotes % 2 === 1) return undefined;
  return { prefix: m[2], head };
}

/**
 * Completions the kernel answers from live values, or undefined to let TypeScript answer.
 * @param locals the cell variables (tslab's exports object)
 * @example valueCompletions('gc.chart("he', 12, { gc }, "/work") // { start: 10, end: 12, candidates: ["heap"] }
 */
export function valueCompletions(code: string, cursor: number, locals: Record<string, unknown>, cwd: string): ValueCompletion | undefined {
  const before = code.slice(0, cursor);
  const str = openString(before);
  if (!str) return undefined;
  const start = cursor - str.prefix.length;
  const method = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\.\s*([A-Za-z_$][\w$]*)\s*\(\s*$/.exec(str.head);
  if (method && NAME_ARGUMENT[method[2]]) {
    const value = lookup(method[1], locals);
    const names = value && typeof value === "object" ? (value as Record<string, unknown>)[NAME_ARGUMENT[method[2]]] : undefined;
    if (!Array.isArray(names)) return undefined;
    return { start, end: cursor, candidates: names.filter((n): n is string => typeof n === "string" && n.startsWith(str.prefix)) };
  }
  const call = /(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*\(\s*$/.exec(str.head);
  if (call && takesPath(call[1])) return { start, end: cursor, candidates: pathCandidates(str.prefix, cwd) };
  return undefined;
}

/** `a.b.c` looked up in the cell variables. */
function lookup(chain: string, locals: Record<string, unknown>): unknown {
  let v: unknown = locals;
  for (const part of chain.split(".")) {
    if (v === null || v === undefined) return undefined;
    try {
      v = (v as Record<string, unknown>)[part];
    } catch {
      return undefined;
    }
  }
  return v;
}

/** Entries of the folder `typed` points into, as completions of `typed` (folders end with "/"). */
export function pathCandidates(typed: string, cwd: string): string[] {
  const expanded = typed.startsWith("~/") ? path.join(process.env.HOME ?? "~", typed.slice(2)) : typed;
  const slash = expanded.lastIndexOf("/");
  const dirPart = slash >= 0 ? expanded.slice(0, slash + 1) : "";
  const namePart = slash >= 0 ? expanded.slice(slash + 1) : expanded;
  const typedDir = slash >= 0 ? typed.slice(0, typed.lastIndexOf("/") + 1) : "";
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.resolve(cwd, dirPart || "."), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.name.startsWith(namePart) && (namePart.startsWith(".") || !e.name.startsWith(".")))
    .map((e) => `${typedDir}${e.name}${e.isDirectory() ? "/" : ""}`)
    .sort();
}

/**
 * Where to ask for hover help: the cursor itself when it is on a name, else — inside a call's
 * parentheses, e.g. `gcStats(|)` or `open("x|")` — the end of the called function's name.
 */
export function hoverPosition(code: string, cursor: number): number {
  const isName = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  const str = openString(code.slice(0, cursor));
  if (!str && (isName(code[cursor]) || isName(code[cursor - 1]))) return cursor;
  // Inside a string literal: start from its opening quote.
  let depth = 0;
  let quote: string | undefined;
  for (let i = (str ? str.head.length : cursor) - 1; i >= 0; i--) {
    const c = code[i];
    if (quote) {
      if (c === quote && code[i - 1] !== "\\") quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) {
        let j = i - 1;
        while (j >= 0 && /\s/.test(code[j])) j--;
        return isName(code[j]) ? j : cursor;
      }
      depth--;
    }
  }
  return cursor;
}

/**
 * The user's line for an error thrown by a cell: the stack frame in `filename` (the name the
 * engine gave the compiled cell) gives a line and column of the compiled JavaScript; that line is
 * matched to the cell's TypeScript line sharing the most names and strings with it (the compiled
 * line keeps the user's names; types and `await` rewriting change the rest). Undefined when the
 * error did not come from the cell's own code.
 */
export function cellPosition(stack: string, filename: string, compiled: string, cell: string): { line: number; column: number; text: string } | undefined {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (!m) return undefined;
  const jsLines = compiled.split("\n");
  const jsLine = jsLines[Number(m[1]) - 1];
  if (jsLine === undefined) return undefined;
  const jsColumn = Number(m[2]) - 1;
  const tokens = (s: string) => new Set(s.match(/[A-Za-z_$][\w$]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\d+/g) ?? []);
  const noise = new Set(["const", "let", "var", "await", "exports", "require", "function", "async", "return", "__tslab__", "yield"]);
  const want = [...tokens(jsLine)].filter((t) => !noise.has(t));
  if (!want.length) return undefined;
  const cellLines = cell.split("\n");
  let best = -1;
  let bestScore = 0;
  cellLines.forEach((l, i) => {
    const have = tokens(l);
    const score = want.filter((t) => have.has(t)).length / want.length;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  if (best < 0 || bestScore < 0.5) return undefined;
  // The column: where the name at the compiled column appears in the user's line.
  const around = /[A-Za-z_$][\w$]*/.exec(jsLine.slice(jsColumn))?.[0];
  const text = cellLines[best];
  const column = around ? Math.max(0, text.indexOf(around)) : 0;
  return { line: best + 1, column: column + 1, text };
}
