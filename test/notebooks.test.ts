/**
 * The runbooks in notebooks/, executed headlessly with `cassperf run` (nbclient from Debian's
 * python3-nbclient, on this package's kernel) against the bundled dataset datasets/lab-3node —
 * or the recording named by CASSPERF_NOTEBOOK_SOURCE (e.g. test/fixtures/data/diag/dse68) while the
 * bundled dataset does not exist. Each must run top to bottom with no error output and show at
 * least one chart as Vega-Lite AND PNG. Also: `cassperf run`'s parameter checking.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";
import { injectParameters, literalFor, parseParameters, type NotebookJson } from "../src/kernel/parameters";

const CLI = path.join(ROOT, "dist", "cli.js");
const NOTEBOOKS = path.join(ROOT, "notebooks");
const BUNDLED = path.join(ROOT, "datasets", "lab-3node");

function cassperf(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 300_000, env: { ...process.env, TZ: "UTC" } });
}

type Output = { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string };

function sourceArgs(): string[] {
  if (process.env.CASSPERF_NOTEBOOK_SOURCE) return ["-p", "source", path.resolve(process.env.CASSPERF_NOTEBOOK_SOURCE)];
  return [];
}

for (const file of fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort()) {
  test(`runbook ${file} runs top to bottom on the bundled dataset and shows its charts`, (t) => {
    if (!process.env.CASSPERF_NOTEBOOK_SOURCE && !fs.existsSync(BUNDLED)) {
      assert.fail(`the bundled dataset ${BUNDLED} does not exist (set CASSPERF_NOTEBOOK_SOURCE to run against another recording)`);
    }
    const out = path.join(tempDir(), file);
    const r = cassperf(["run", path.join(NOTEBOOKS, file), "--out", out, ...sourceArgs()]);
    const nb = JSON.parse(fs.readFileSync(out, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const errors = outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`);
    assert.deepEqual(errors, [], `${file}: error outputs`);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    // every code cell ran
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.every((c) => "outputs" in c));
    const charts = outputs.filter((o) => o.data && "application/vnd.vegalite.v5+json" in o.data);
    assert.ok(charts.length >= 1, `${file}: no Vega-Lite output`);
    for (const c of charts) {
      assert.equal(typeof c.data!["image/png"], "string", `${file}: a chart without its PNG`);
      assert.ok(Buffer.from(c.data!["image/png"] as string, "base64").subarray(1, 4).toString() === "PNG");
    }
    t.diagnostic(`${file}: ${charts.length} chart(s), ${outputs.length} outputs`);
  });
}

test("every runbook starts with markdown, then a parameters cell declaring `source`", () => {
  for (const file of fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb"))) {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, file), "utf8")) as NotebookJson;
    assert.equal(nb.cells[0].cell_type, "markdown", file);
    const params = nb.cells.find((c) => (c.metadata?.tags ?? []).includes("parameters"));
    assert.ok(params, `${file}: no parameters cell`);
    const names = parseParameters(Array.isArray(params.source) ? params.source.join("") : params.source).map((p) => p.name);
    assert.ok(names.includes("source"), `${file}: parameters ${names.join(", ")}`);
    assert.equal((nb.metadata.kernelspec as { name: string }).name, "cassperf");
  }
});

test("cassperf run: a wrong-typed parameter stops before running and names it", () => {
  const out = path.join(tempDir(), "never.ipynb");
  const r = cassperf(["run", path.join(NOTEBOOKS, "2-gc-pause-postmortem.ipynb"), "-p", "pauseMs", "two hundred", "--out", out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /parameter "pauseMs" expects number/);
  assert.match(r.stderr, /"two hundred"/);
  assert.equal(fs.existsSync(out), false, "nothing was written or run");
  const unknown = cassperf(["run", path.join(NOTEBOOKS, "2-gc-pause-postmortem.ipynb"), "-p", "pausems", "100", "--out", out]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no parameter "pausems"; its parameters are source, node, pauseMs/);
  const missing = cassperf(["run", path.join(NOTEBOOKS, "no-such.ipynb")]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no-such\.ipynb: no such notebook/);
});

test("cassperf run: exit 1 and the error kept in the notebook when a cell fails", () => {
  const dir = tempDir();
  const nbFile = path.join(dir, "fails.ipynb");
  const nb = {
    cells: [
      { cell_type: "code", id: "a", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [], source: 'const where = "/no/such/place";' },
      { cell_type: "code", id: "b", metadata: {}, execution_count: null, outputs: [], source: "await open(where)" },
      { cell_type: "code", id: "c", metadata: {}, execution_count: null, outputs: [], source: '"never reached"' },
    ],
    metadata: { kernelspec: { name: "cassperf", display_name: "cassperf", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(nbFile, JSON.stringify(nb));
  const r = cassperf(["run", nbFile, "-p", "where", "/still/not/here"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /CassperfError: open: \/still\/not\/here does not exist/);
  const after = JSON.parse(fs.readFileSync(nbFile, "utf8")) as { cells: { source: string | string[]; outputs: Output[] }[] };
  assert.equal(after.cells.length, 4, "the injected-parameters cell follows the parameters cell");
  assert.match([after.cells[1].source].flat().join(""), /const where: string = "\/still\/not\/here";/);
  assert.equal(after.cells[2].outputs[0].output_type, "error");
  assert.deepEqual(after.cells[3].outputs, [], "cells after the failure do not run");
});

test("parameters: types from literals and annotations; values checked and converted", () => {
  const params = parseParameters(
    ['const source = "../datasets/lab-3node";', "let n = 60; // minutes", "const on: boolean = false;", 'const levels: string[] = ["ONE"];', "const since: string | null = null;", 'const cl: "ONE" | "QUORUM" = "ONE";', "const obj = compute();"].join("\n"),
  );
  assert.deepEqual(params.map((p) => p.name), ["source", "n", "on", "levels", "since", "cl"]);
  const by = (n: string) => params.find((p) => p.name === n)!;
  assert.equal(literalFor(by("n"), "30"), "30");
  assert.throws(() => literalFor(by("n"), "thirty"), /parameter "n" expects number \(the parameters cell sets 60\)/);
  assert.equal(literalFor(by("on"), "true"), "true");
  assert.throws(() => literalFor(by("on"), "yes"), /parameter "on" expects boolean/);
  assert.equal(literalFor(by("levels"), "ONE,ALL"), '["ONE","ALL"]');
  assert.equal(literalFor(by("since"), "null"), "null");
  assert.equal(literalFor(by("since"), "2024-01-15"), '"2024-01-15"');
  assert.equal(literalFor(by("cl"), "QUORUM"), '"QUORUM"');
  assert.throws(() => literalFor(by("cl"), "TWO"), /parameter "cl" expects "ONE" \| "QUORUM"/);
  assert.equal(literalFor(by("source"), "12"), '"12"', "a string parameter takes any text");
  const nb: NotebookJson = { cells: [{ cell_type: "code", source: "const n = 1;", metadata: {} }], metadata: {} };
  assert.throws(() => injectParameters(nb, [["n", "2"]], "x.ipynb"), /x\.ipynb has no cell tagged "parameters"/);
});
