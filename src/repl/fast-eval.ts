/**
 * The REPL's transpile-only path: a line that declares nothing (an expression, a loop, a call such
 * as `6 * 7` or `await gcStats()`) is stripped of its types by esbuild and run at once, with every
 * helper in scope, instead of waiting 1–2 s for TypeScript to load and build its program. Lines
 * that declare names (const, function, class, import, type, interface) still go through tslab
 * (./engine.ts): later lines and completions must see those names, and tslab type-checks them.
 *
 * esbuild runs as a service process: {@link startTranspiler} starts it in the background (its async
 * API never blocks the event loop), so the first line does not pay for the start.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as vmTypes from "node:vm";

/** The vm module object itself (./interrupt.ts patches runInThisContext on it for Ctrl-C). */
const vm = require("node:vm") as typeof vmTypes;

type Esbuild = typeof import("esbuild");
let esbuild: Esbuild | undefined;
let started: Promise<unknown> | undefined;

/** Load esbuild and start its service in the background (idempotent). */
export function startTranspiler(): void {
  if (started) return;
  esbuild = require("esbuild") as Esbuild;
  started = esbuild.transform("0", { loader: "ts" }).catch(() => undefined);
}

/** What every fast line sees: the names the prelude imports, from the same module, and `require`. */
export interface FastScope {
  names: string[];
  values: unknown[];
}

/**
 * The scope of a prelude of the kernel's form (`import { a, b } from "<dist>/index";`, ../kernel/prelude.ts):
 * the same names from the same module instance tslab will import, plus a `require` from `rootDir`.
 * Undefined for any other prelude: then every line goes through tslab.
 */
export function preludeScope(prelude: string, rootDir: string): FastScope | undefined {
  const m = /^\s*import\s*\{([^}]*)\}\s*from\s*("(?:[^"\\]|\\.)*")\s*;?\s*$/.exec(prelude);
  if (!m) return undefined;
  const names = m[1]
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.every((n) => /^[A-Za-z_$][\w$]*$/.test(n))) return undefined;
  const api = require(JSON.parse(m[2]) as string) as Record<string, unknown>;
  const req = createRequire(path.join(rootDir, "repl.js"));
  return { names: [...names, "require"], values: [...names.map((n) => api[n]), req] };
}

/** Statements at the top of esbuild's output that declare a name later lines would need. */
const DECLARES_JS = /^(?:export\b|import\b|const\b|let\b|var\b|function\b|async\s+function\b|class\b|using\b)/m;
/** TypeScript-only declarations esbuild removes (types must reach tslab for later lines). */
const DECLARES_TS = /^\s*(?:export\s+)?(?:declare\b|interface\b|type\s+[A-Za-z_$]|abstract\s+class\b|namespace\b|module\s+[A-Za-z_$"'])/m;
/** A last statement that has no value to show. */
const NO_VALUE = /^(?:if|for|while|do|switch|try|return|throw|break|continue|debugger|label:|\{|;)/;

/**
 * The names a line declares at its top level (from esbuild's output), for lines that go through
 * tslab: a later line naming one of them must go through tslab too (the value lives in tslab's
 * scope). `unknown` when a declaration's names cannot be listed simply (destructuring, imports,
 * several declarators): then every later line goes through tslab.
 */
export function declaredNames(source: string, js: string): { declares: boolean; names: string[]; unknown: boolean } {
  const names: string[] = [];
  let unknown = false;
  let declares = DECLARES_TS.test(source);
  for (const line of js.split("\n")) {
    if (!DECLARES_JS.test(line)) continue;
    declares = true;
    const v = /^(?:export\s+)?(?:const|let|var|using)\s+([A-Za-z_$][\w$]*)\s*(?:=|;)(.*)$/.exec(line);
    const f = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (v && !topLevelComma(v[2])) names.push(v[1]);
    else if (f) names.push(f[1]);
    else unknown = true;
  }
  return { declares, names, unknown };
}

/** True when `s` has a comma outside brackets and strings (several declarators on one line). */
function topLevelComma(s: string): boolean {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) return true;
  }
  return false;
}

/** The global the helper values travel on into the script (removed right after it starts). */
const KEY = "__cassperfReplScope";

/**
 * The script for a transpiled line, or undefined when it must go through tslab (it declares a
 * name, or it does not compile as a function body). The last top-level statement, when it is an
 * expression, is returned (its value is shown; a Promise is awaited).
 */
export function scriptFor(
  scope: FastScope,
  source: string,
  js: string,
  tslabNames: ReadonlySet<string> = new Set(),
): { script: string; value: boolean } | undefined {
  if (DECLARES_TS.test(source) || DECLARES_JS.test(js)) return undefined;
  // A name a tslab line declared lives in tslab's scope: such a line goes through tslab.
  for (const id of source.match(/[A-Za-z_$][\w$]*/g) ?? []) if (tslabNames.has(id)) return undefined;
  const { names } = scope;
  const lines = js.replace(/\s+$/, "").split("\n");
  // esbuild prints top-level statements from column 0 and nested ones indented: the last one starts at the last such line.
  let last = -1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (/^[^\s}\])]/.test(lines[i])) {
      last = i;
      break;
    }
  const wrap = (body: string) => `(async (${names.join(", ")}) => {\n${body}\n})(...globalThis.${KEY})`;
  const candidates: { script: string; value: boolean }[] = [];
  if (last >= 0) {
    const tail = lines.slice(last).join("\n").replace(/;\s*$/, "");
    if (!NO_VALUE.test(tail)) candidates.push({ script: wrap(`${lines.slice(0, last).join("\n")}\nreturn (${tail}\n);`), value: true });
  }
  candidates.push({ script: wrap(js), value: false });
  for (const c of candidates) {
    try {
      new vm.Script(c.script);
      return c;
    } catch {
      // not valid as a function body (e.g. a top-level `return`): try the next form, else tslab
    }
  }
  return undefined;
}

/** Transpile one input with esbuild (types stripped, nothing else changed); undefined when esbuild refuses it (tslab then explains why). */
export async function transpile(source: string): Promise<string | undefined> {
  startTranspiler();
  try {
    return (await esbuild!.transform(source, { loader: "ts", sourcefile: "repl.ts" })).code;
  } catch {
    return undefined;
  }
}

/**
 * Start the script: its synchronous part runs inside vm.runInThisContext with breakOnSigint (so
 * Ctrl-C stops a `while (true) {}`, ./interrupt.ts); returns the promise of its value.
 */
export function runScript(scope: FastScope, script: string): Promise<unknown> {
  (globalThis as Record<string, unknown>)[KEY] = scope.values;
  try {
    return vm.runInThisContext(script, { filename: "repl", breakOnSigint: true }) as Promise<unknown>;
  } finally {
    delete (globalThis as Record<string, unknown>)[KEY];
  }
}

/**
 * Whether `code` is unfinished (an open bracket, string or comment) and the indent for its next
 * line, without TypeScript: brackets outside strings, template literals and comments are counted.
 * @example openIndent("function f() {")   // "  "
 */
export function openIndent(code: string): string | undefined {
  const stack: string[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const n = code[i + 1];
    if (c === "/" && n === "/") {
      const e = code.indexOf("\n", i);
      i = e < 0 ? code.length : e;
      continue;
    }
    if (c === "/" && n === "*") {
      const e = code.indexOf("*/", i + 2);
      if (e < 0) return "";
      i = e + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) {
        if (code[j] === "\\") j++;
        else if (c !== "`" && code[j] === "\n") break;
        j++;
      }
      if (j >= code.length) return c === "`" ? "" : undefined;
      i = j + 1;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") stack.push(c);
    else if (c === ")" || c === "]" || c === "}") stack.pop();
    i++;
  }
  return stack.length ? "  ".repeat(stack.length) : undefined;
}
