/**
 * The runbooks in notebooks/, executed headlessly with `cassperf run` (nbclient from Debian's
 * python3-nbclient, on this package's kernel) against the bundled datasets datasets/lab-3node
 * (2.1) and datasets/lab-3node-5.0 — or, for the first, the recording named by
 * CASSPERF_NOTEBOOK_SOURCE. Each must run top to bottom with no error output and show at least
 * one chart as Vega-Lite AND PNG. Also: runbook 2 on the DSE 6.8 GC excerpt, `cassperf run`'s
 * parameter and path checking, --allow-errors.
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

type Output = { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string; text?: string | string[] };

function sourceArgs(): string[] {
  if (process.env.CASSPERF_NOTEBOOK_SOURCE) return ["-p", "source", path.resolve(process.env.CASSPERF_NOTEBOOK_SOURCE)];
  return [];
}

const BUNDLED_50 = path.join(ROOT, "datasets", "lab-3node-5.0");

/** Every output of an executed notebook. */
function outputsOf(file: string): {
  nb: { cells: { cell_type: string; source: string | string[]; metadata?: Record<string, unknown>; outputs?: Output[] }[] };
  outputs: Output[];
} {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as {
    cells: { cell_type: string; source: string | string[]; metadata?: Record<string, unknown>; outputs?: Output[] }[];
  };
  return { nb, outputs: nb.cells.flatMap((c) => c.outputs ?? []) };
}

/** Text of stream outputs and Markdown of rich outputs. */
function shownText(outputs: Output[]): string {
  return outputs.map((o) => [o.text ?? "", o.data?.["text/markdown"] ?? ""].flat().join("")).join("\n");
}

// Each runbook on the bundled 2.1 recording (the notebooks' default) and on the bundled 5.0 recording.
for (const [label, dataset] of [
  ["lab-3node", undefined],
  ["lab-3node-5.0", BUNDLED_50],
] as const) {
  for (const file of fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()) {
    test(`runbook ${file} runs top to bottom on ${label} and shows its charts`, (t) => {
      const src = dataset ? ["-p", "source", dataset] : sourceArgs();
      if (!process.env.CASSPERF_NOTEBOOK_SOURCE && !fs.existsSync(dataset ?? BUNDLED)) {
        assert.fail(`the bundled dataset ${dataset ?? BUNDLED} does not exist (set CASSPERF_NOTEBOOK_SOURCE to run against another recording)`);
      }
      const out = path.join(tempDir(), file);
      const r = cassperf(["run", path.join(NOTEBOOKS, file), "--out", out, ...src]);
      const { nb, outputs } = outputsOf(out);
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
        assert.ok(
          Buffer.from(c.data!["image/png"] as string, "base64")
            .subarray(1, 4)
            .toString() === "PNG",
        );
      }
      if (file.startsWith("1-")) {
        // The consistency comparison is labelled with its two levels, not "before"/"after": the bundled
        // recordings trace the same read at ONE, QUORUM and ALL (datasets' traces/sessions.jsonl).
        const compare = outputs.find((o) => String(o.data?.["text/markdown"] ?? "").includes("**compareTraces**"));
        assert.ok(compare, "runbook 1 shows a compareTraces report");
        const md = String(compare!.data!["text/markdown"]);
        assert.match(md, /\bONE\b/);
        assert.match(md, /\bALL\b/);
        assert.doesNotMatch(md, /\bbefore\b|\bafter\b/);
      }
      t.diagnostic(`${file} on ${label}: ${charts.length} chart(s), ${outputs.length} outputs`);
    });
  }
}

test("runbook 2 on the DSE 6.8 bundle lists the 2,066 ms G1 Old Generation pause GCInspector logged after the GC log's end", () => {
  // test/fixtures/diag-dse68-gc/PROVENANCE.md: system.log line 438 "G1 Old Generation GC in 2066ms" at
  // 2020-07-22 13:39:00,916; the gc.log excerpt's last time stamp is 2020-07-21T07:13:52. Given as a path
  // relative to the directory cassperf run starts in (ROOT), not to the notebook's folder.
  const out = path.join(tempDir(), "gc.ipynb");
  const r = spawnSync(
    process.execPath,
    [CLI, "run", path.join(NOTEBOOKS, "2-gc-pause-postmortem.ipynb"), "--out", out, "-p", "source", "test/fixtures/diag-dse68-gc"],
    {
      encoding: "utf8",
      timeout: 300_000,
      cwd: ROOT,
      env: { ...process.env, TZ: "UTC" },
    },
  );
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  const { nb, outputs } = outputsOf(out);
  const injected = nb.cells.find((c) => ((c.metadata?.tags as string[] | undefined) ?? []).includes("injected-parameters"));
  assert.match(
    [injected!.source].flat().join(""),
    new RegExp(`const source: string = ${JSON.stringify(path.join(ROOT, "test/fixtures/diag-dse68-gc")).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")};`),
  );
  const worst = shownText(outputs);
  // The worst-stops table of cell "Logged pause vs real stop": the pause is in it, from GCInspector.
  const row = worst.split("\n").find((l) => l.includes("2020-07-22T13:39:00.916Z") && l.includes("gcinspector"));
  assert.ok(row, `no row for 2020-07-22T13:39:00.916Z in:\n${worst.slice(0, 3000)}`);
  assert.match(row!, /\b2066\b/);
  assert.match(row!, /G1 Old Generation/);
  assert.match(row!, /gcinspector/);
});

test("cassperf run: a path parameter that does not exist stops the run before the kernel starts, in one line", () => {
  const dir = tempDir();
  const out = path.join(dir, "never.ipynb");
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, "run", path.join(NOTEBOOKS, "2-gc-pause-postmortem.ipynb"), "--out", out, "-p", "source", "dse68"], {
    encoding: "utf8",
    cwd: dir,
    timeout: 60_000,
  });
  assert.equal(r.status, 1);
  // Resolved against the directory cassperf run was started in, and named with the parameter.
  assert.match(r.stderr, new RegExp(`-p source dse68: ${path.join(dir, "dse68").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} does not exist`));
  assert.doesNotMatch(r.stderr, /kernel ready/, "no kernel was started");
  assert.equal(fs.existsSync(out), false, "nothing was written");
  assert.ok(Date.now() - t0 < 30_000);
  // Not a source cassperf can open: a file of no kind it reads.
  fs.writeFileSync(path.join(dir, "notes.txt"), "just some notes\n");
  const bad = spawnSync(process.execPath, [CLI, "run", path.join(NOTEBOOKS, "2-gc-pause-postmortem.ipynb"), "--out", out, "-p", "source", "notes.txt"], {
    encoding: "utf8",
    cwd: dir,
    timeout: 60_000,
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /-p source notes\.txt: cassperf cannot open .*notes\.txt as a source/);
  assert.equal(fs.existsSync(out), false);
});

test("cassperf run --allow-errors: runs on past a failing cell, marks it, names it and exits 1", () => {
  const dir = tempDir();
  const nbFile = path.join(dir, "allow.ipynb");
  const nb = {
    cells: [
      { cell_type: "code", id: "a", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [], source: "const n = 1;" },
      { cell_type: "code", id: "b", metadata: {}, execution_count: null, outputs: [], source: 'throw new RangeError("cell two fails")' },
      { cell_type: "code", id: "c", metadata: {}, execution_count: null, outputs: [], source: "n + 41" },
    ],
    metadata: { kernelspec: { name: "cassperf", display_name: "cassperf", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(nbFile, JSON.stringify(nb));
  const r = cassperf(["run", nbFile, "--allow-errors"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /1 of 3 cells failed: cell 2 \(notebook cell 2\)/);
  const after = JSON.parse(fs.readFileSync(nbFile, "utf8")) as {
    cells: { metadata: { tags?: string[]; cassperf?: { failed?: boolean } }; outputs: Output[] }[];
  };
  assert.deepEqual(after.cells[1].metadata.tags, ["failed"]);
  assert.equal(after.cells[1].metadata.cassperf?.failed, true);
  assert.equal(after.cells[1].outputs[0].output_type, "error");
  // The cell after the failure ran: 1 + 41.
  assert.equal([after.cells[2].outputs[0].data?.["text/plain"]].flat().join(""), "42");
});

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
    [
      'const source = "../datasets/lab-3node";',
      "let n = 60; // minutes",
      "const on: boolean = false;",
      'const levels: string[] = ["ONE"];',
      "const since: string | null = null;",
      'const cl: "ONE" | "QUORUM" = "ONE";',
      "const obj = compute();",
    ].join("\n"),
  );
  assert.deepEqual(
    params.map((p) => p.name),
    ["source", "n", "on", "levels", "since", "cl"],
  );
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
