/**
 * The README's data-flow paragraph (Architecture), checked against the imports themselves: every
 * relative import of src/ is read from the source text (the same text tsc compiles), type-only
 * imports set apart (TypeScript erases them), and each rule below is a sentence of that paragraph.
 * Expected values: the paragraph's sentences; the import graph comes from the files, not from any
 * code under test.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support";

interface Edge {
  from: string;
  to: string;
  /** True when TypeScript erases it (import type, or every name marked `type`). */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return undefined;
}

/** Every relative import of every file under src/, with whether it survives compilation. */
function importGraph(): Edge[] {
  const src = path.join(ROOT, "src");
  const edges: Edge[] = [];
  for (const file of sourceFiles(src)) {
    const text = fs.readFileSync(file, "utf8");
    const statements = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.[^"']+)["']/gm;
    for (const m of text.matchAll(statements)) {
      const names = m[3];
      const braces = /^\{([^}]*)\}$/.exec(names.trim());
      const allTypes = braces !== null && braces[1].split(",").every((n) => n.trim() === "" || /^type\s/.test(n.trim()));
      const to = resolveImport(file, m[4]);
      if (to) edges.push({ from: path.relative(src, file), to: path.relative(src, to), typeOnly: !!m[2] || allTypes });
    }
    for (const m of text.matchAll(/^(?!\s*(?:\/\/|\*)).*?\brequire\(\s*["'](\.[^"']+)["']\s*\)/gm)) {
      const to = resolveImport(file, m[1]);
      if (to) edges.push({ from: path.relative(src, file), to: path.relative(src, to), typeOnly: false });
    }
  }
  return edges;
}

const edges = importGraph();
const runtime = edges.filter((e) => !e.typeOnly);
const inFolder = (f: string, folder: string) => f.startsWith(`${folder}/`);
const where = (es: Edge[]) => es.map((e) => `${e.from} -> ${e.to}`).join("\n");

test("the import graph was read (a guard against a scanner that finds nothing)", () => {
  assert.ok(runtime.length > 200, `only ${runtime.length} runtime imports found`);
  assert.ok(runtime.some((e) => e.from === "helpers.ts" && e.to === "analyze/gc/gc-stats.ts"));
});

test("parse/ turns text into rows: it imports only parse/, statistics/ and errors, and does no I/O", () => {
  const bad = runtime.filter((e) => inFolder(e.from, "parse") && !inFolder(e.to, "parse") && !inFolder(e.to, "statistics") && e.to !== "errors.ts");
  assert.equal(bad.length, 0, where(bad));
  for (const f of sourceFiles(path.join(ROOT, "src/parse")))
    assert.doesNotMatch(fs.readFileSync(f, "utf8"), /from\s+["']node:fs["']|require\(["']node:fs["']\)/, `${f} reads files`);
});

test("analyze/ gathers through the Source: no node:fs, and nothing from the edges (repl, kernel, report, cli)", () => {
  for (const f of sourceFiles(path.join(ROOT, "src/analyze")))
    assert.doesNotMatch(fs.readFileSync(f, "utf8"), /from\s+["'](node:)?fs["']|require\(["'](node:)?fs["']\)/, `${path.relative(ROOT, f)} imports node:fs`);
  const edgesUp = runtime.filter((e) => inFolder(e.from, "analyze") && /^(repl|kernel|report)\/|^(cli|report-cli|index|helpers|methods)\.ts$/.test(e.to));
  assert.equal(edgesUp.length, 0, where(edgesUp));
});

test("cluster/ (sources) and present/ (reports, charts) import nothing from analyze/ at run time", () => {
  const bad = runtime.filter((e) => (inFolder(e.from, "cluster") || inFolder(e.from, "present")) && inFolder(e.to, "analyze"));
  assert.equal(bad.length, 0, where(bad));
});

test("statistics/ is arithmetic: it imports nothing of the project but itself", () => {
  const bad = runtime.filter((e) => inFolder(e.from, "statistics") && !inFolder(e.to, "statistics"));
  assert.equal(bad.length, 0, where(bad));
});

test("no import cycle between files (run-time imports)", () => {
  const next = new Map<string, string[]>();
  for (const e of runtime) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, trail: string[]) => {
    state.set(f, 1);
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === 1) cycles.push([...trail.slice(trail.indexOf(t)), t].join(" -> "));
      else if (!state.has(t)) visit(t, [...trail, t]);
    }
    state.set(f, 2);
  };
  for (const f of next.keys()) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});
