/**
 * The registry of helpers (the entries of src/helpers.ts, read through src/registry.ts) drives
 * everything that lists helpers, and every helper follows one calling rule,
 * `helper(subject?, { source, ...options })` (src/cluster/resolve.ts helperArgs). Expected values:
 * the helper names the README's "What each helper does" section lists, the export statements of
 * src/helpers.ts read as text, TypeScript's own language service (the hover help a notebook shows),
 * and the fixtures themselves (a path given either way reads the same file, so the figures must be equal).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as cassperf from "../src/index";
import * as ts from "typescript";
import { HELPERS, helperNames, healthSteps } from "../src/registry";
import { capabilities, capabilityRule } from "../src/cluster/capabilities";
import { valueCompletions } from "../src/kernel/cell-help";
import { RecordedSource } from "../src/cluster/recorded";
import { LiveSource } from "../src/cluster/live";
import { isCassperfError } from "../src/errors";
import { ROOT } from "./support";

const names = helperNames();

test("every registry entry is a package export, a method of every source, and named in the README", () => {
  const api = cassperf as unknown as Record<string, unknown>;
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  for (const n of names) {
    assert.equal(typeof api[n], "function", `${n} is exported from the package (and so in the kernel/REPL prelude)`);
    for (const cls of [RecordedSource, LiveSource])
      assert.equal(typeof (cls.prototype as unknown as Record<string, unknown>)[n], "function", `${cls.name}.${n}`);
    assert.ok(readme.includes(`${n}(`), `the README names ${n}()`);
  }
});

test('src/helpers.ts is the one list: each `export const x = helper("x", ...)` is a registered helper of that name, and nothing else is exported', () => {
  const text = fs.readFileSync(path.join(ROOT, "src/helpers.ts"), "utf8");
  const exported = [...text.matchAll(/^export const (\w+) = helper\("(\w+)"/gm)].map((m) => {
    assert.equal(m[1], m[2], `export ${m[1]} registers under its own name`);
    return m[1];
  });
  assert.deepEqual(exported, names, "the registry's order is the file's order");
  // Only helpers and type re-exports: no other value leaves the registry file.
  const values = [...text.matchAll(/^export (?!type |const \w+ = helper\()(.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(values, []);
});

test("inventory()'s capability rows are the registry entries' needs, in registry order", async () => {
  for (const [name, entry] of HELPERS) {
    if (entry.needs) assert.deepEqual(capabilityRule(name), { helper: name, ...entry.needs }, name);
    else assert.equal(capabilityRule(name), undefined, `${name} has no needs: answers from any source`);
  }
  const s = await cassperf.open(path.join(ROOT, "test/fixtures/report/dse68"));
  const rows = (await cassperf.inventory(s)).rows("capabilities").map((r) => String(r.helper));
  const expected = [...HELPERS.values()].filter((e) => e.needs && e.name !== "inventory").map((e) => e.name);
  assert.deepEqual(rows, expected);
  assert.deepEqual(
    (await capabilities(s)).map((c) => c.helper),
    [...HELPERS.values()].filter((e) => e.needs).map((e) => e.name),
  );
  // traces() and trace() read the same evidence, which the DSE bundle lacks (no trace file among its kinds): one finding names both.
  assert.equal(s.files().filter((f) => f.kind.startsWith("trace-")).length, 0, "the bundle holds no trace file");
  const traceFindings = (await cassperf.inventory(s)).findings.filter((f) => f.id === "inventory.helper-unanswerable" && /\btraces?\(\)/.test(f.title));
  assert.deepEqual(
    traceFindings.map((f) => f.title),
    ["traces() and trace() have nothing to work from in this source"],
  );
});

test("the kernel completes a path after the helpers whose first argument is the source, not after a query or a table", () => {
  const cwd = path.join(ROOT, "test/fixtures");
  const entries = fs.readdirSync(cwd).filter((n) => n.startsWith("g"));
  assert.ok(entries.length > 0, "test/fixtures has entries starting with g");
  for (const [name, entry] of HELPERS) {
    const c = valueCompletions(`await ${name}("g`, name.length + 9, {}, cwd);
    if (entry.subject === "source") assert.deepEqual(c?.candidates.map((x) => x.replace(/\/$/, "")).sort(), entries.sort(), name);
    else assert.equal(c, undefined, `${name}'s first argument is a ${entry.subject}`);
  }
});

test("every helper's hover help in a notebook is its JSDoc, with a runnable example (TypeScript's language service)", () => {
  const file = path.join(ROOT, "test", "__hover__.ts");
  const calls = names.map((n) => `${n}();`).join("\n");
  const text = `import { ${names.join(", ")} } from "../src/index";\nasync function f() {\n${calls}\n}\n`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) =>
      f === file ? ts.ScriptSnapshot.fromString(text) : fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined,
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
  };
  const ls = ts.createLanguageService(host);
  for (const n of names) {
    const q = ls.getQuickInfoAtPosition(file, text.indexOf(`\n${n}();`) + 1);
    assert.ok(q, `${n}: no hover`);
    const doc = ts.displayPartsToString(q.documentation);
    assert.ok(doc.length > 40, `${n}: hover shows its JSDoc (got ${JSON.stringify(doc)})`);
    assert.ok(
      (q.tags ?? []).some((t) => t.name === "example"),
      `${n}: hover shows an @example`,
    );
    assert.match(ts.displayPartsToString(q.displayParts), /Promise<\w+>/, `${n}: a named report type`);
  }
});

test("internals stay internal: the health() table, the run context and the capability table are not exports", () => {
  const api = cassperf as unknown as Record<string, unknown>;
  for (const internal of ["HELPERS", "HEALTH_HELPERS", "SAME_PROBLEM", "liveBenchRuns", "runOptions", "HELPER_NEEDS", "HELPER_CAPABILITIES"])
    assert.equal(api[internal], undefined, `${internal} is not exported`);
});

test("health()'s steps are the registry entries with a health runner, each with a row in the capability table", () => {
  const steps = healthSteps().map((s) => s.helper);
  // health() opens with inventory and ends with partitionScan (it scans the table the earlier steps found largest).
  assert.equal(steps[0], "inventory");
  assert.equal(steps.at(-1), "partitionScan");
  for (const s of steps) assert.ok(capabilityRule(s), `${s} has a capability row (what it needs, what to add)`);
  // The helpers that need a subject health() cannot invent (a query, a workload) are not steps.
  for (const n of ["trace", "bench"]) assert.ok(!steps.includes(n), `${n} is not run by health()`);
});

test("one calling rule: a path first, { source: path } and a source object give the same report", async () => {
  const gc = path.join(ROOT, "test/fixtures/gc/garbagecat-dataset107-jdk8-cms-without-details.txt");
  const byPath = await cassperf.gcStats(gc);
  const byOption = await cassperf.gcStats({ source: gc });
  const src = await cassperf.open(gc);
  const byObject = await cassperf.gcStats(src);
  const byMethod = await src.gcStats();
  for (const r of [byOption, byObject, byMethod]) assert.deepEqual(r.summary, byPath.summary);
  assert.ok(Number(byPath.summary.pauses) > 0, "the fixture has pauses");
  // Options alone, and subject + options, for a helper about a table.
  const dse = path.join(ROOT, "test/fixtures/report/dse68");
  const a = await cassperf.histograms({ source: dse });
  const b = await cassperf.histograms(dse);
  assert.deepEqual(a.summary, b.summary);
});

test("the calling rule's bad input: a second argument that is not options, two sources, a table-less partitionScan", async () => {
  const dse = path.join(ROOT, "test/fixtures/report/dse68");
  await assert.rejects(cassperf.gcStats(dse, "fast" as never), (e: unknown) => isCassperfError(e) && /second argument is the options object/.test(String(e)));
  await assert.rejects(
    cassperf.gcStats(dse, { source: path.join(ROOT, "datasets/lab-3node") }),
    (e: unknown) => isCassperfError(e) && /two sources given/.test(String(e)),
  );
  await assert.rejects(cassperf.partitionScan(dse), (e: unknown) => isCassperfError(e) && /name the table to scan/.test(String(e)));
  // bench() runs workloads only; the saved runs are benchRuns()'s.
  await assert.rejects(
    cassperf.bench(dse),
    (e: unknown) => isCassperfError(e) && /expected a workload/.test(String(e)) && /benchRuns/.test((e as { hint?: string }).hint ?? ""),
  );
});
