/**
 * The Ink REPL, driven through ink-testing-library with the real evaluator (tslab in-process, the
 * kernel's prelude, all from dist/: one build in the process) on a real recorded bundle: typing, multi-line input, history recall
 * and persistence, TypeScript completion, a report rendered with its chart, : commands, progress
 * and cancel (through the run context's AbortSignal, and by abandoning a helper that ignores it).
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as React from "react";
import type { ReplAppProps } from "../src/repl/app";
import { data, ROOT, tempDir } from "./support";

// One build in this process: the REPL evaluates its prelude against dist/ (typed by dist/index.d.ts, as a user runs it), so
// this file loads the app, the engine and the history from dist/ too (scripts/test.mjs builds first); `import type` loads nothing.
const DIST = path.join(ROOT, "dist");
const { createReplApp } = require(path.join(DIST, "repl", "app")) as typeof import("../src/repl/app");
const { ReplEngine } = require(path.join(DIST, "repl", "engine")) as typeof import("../src/repl/engine");
const { History, readHistory, HISTORY_MAX_ENTRIES } = require(path.join(DIST, "repl", "history")) as typeof import("../src/repl/history");

const BUNDLE = data("diag", "cassandra-2.1.17");
const dir = tempDir("cassperf-repl-");
/** The evaluator's root folder: kept apart from the files tests write (TypeScript watches it). */
const rootDir = tempDir("cassperf-repl-root-");
/** The live area is idle: the last line is the empty prompt (Ink trims trailing spaces). */
const IDLE = /(^|\n)cassperf>\s*$/;
const UP = "\u001B[A";
const DOWN = "\u001B[B";
const ENTER = "\r";
const TAB = "\t";
const CTRL_C = "\u0003";
const CTRL_D = "\u0004";

let engine: InstanceType<typeof ReplEngine>;
let ReplApp: (p: ReplAppProps) => React.ReactElement;
let inkTesting: typeof import("ink-testing-library");
const dist = require(path.join(DIST, "index")) as typeof import("../src/index");

before(async () => {
  const { preludeSource } = require(path.join(DIST, "kernel", "prelude")) as typeof import("../src/kernel/prelude");
  engine = new ReplEngine({ prelude: preludeSource(), rootDir });
  ReplApp = createReplApp(await import("ink"));
  inkTesting = await import("ink-testing-library");
  await engine.warm();
});
after(() => engine.close());

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

/** Render the app; `screen()` is everything written so far (scrollback + live area), without ANSI. */
function start(historyFile = path.join(dir, `history-${Math.random().toString(36).slice(2)}`), extra: Partial<ReplAppProps> = {}) {
  const history = new History(historyFile);
  let exited = false;
  const describeSource = () => {
    try {
      return dist.current().describe();
    } catch (e) {
      return (e as Error).message;
    }
  };
  const r = inkTesting.render(
    React.createElement(ReplApp, {
      engine,
      history,
      describeSource,
      banner: ["banner line"],
      width: 100,
      color: true,
      onExit: () => (exited = true),
      ...extra,
    }),
  );
  const screen = () => strip(r.frames.join("\n"));
  const last = () => strip(r.lastFrame() ?? "");
  const waitFor = async (what: string, pred: () => boolean, ms = 20_000) => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}; last frame:\n${last()}`);
      await delay(20);
    }
  };
  /** Type text key by key-ish (a chunk, as a terminal sends it), then let Ink render. */
  const type = async (text: string) => {
    r.stdin.write(text);
    await delay(30);
  };
  /** Type a line, press Enter, wait until the prompt is back (idle). */
  const run = async (line: string) => {
    const before = r.frames.length;
    await type(line);
    await type(ENTER);
    await waitFor(`"${line}" to finish`, () => r.frames.length > before && IDLE.test(last()) && !/running…/.test(last()));
  };
  /** The live area comes to match `re` (renders are asynchronous; a loaded machine is slow). */
  const expectLast = (re: RegExp, what = String(re)) => waitFor(what, () => re.test(last()), 10_000);
  return { ...r, screen, last, waitFor, expectLast, type, run, history, exited: () => exited };
}

test("typing shows on the prompt; Enter evaluates TypeScript and prints the value", async () => {
  const app = start();
  await app.type("40 + 2");
  await app.expectLast(/cassperf> 40 \+ 2/);
  await app.type(ENTER);
  await app.waitFor("the value", () => /^42$/m.test(app.screen()));
  // a type error is one readable line, not a stack
  await app.run("const s: string = 1");
  assert.match(app.screen(), /✗ TypeScript: 1:7 - Type 'number' is not assignable to type 'string'/);
  app.unmount();
});

test("incomplete code continues on a new line; the whole block runs when complete", async () => {
  const app = start();
  await app.type("function sq(x: number) {");
  await app.type(ENTER);
  await app.expectLast(/cassperf> function sq\(x: number\) \{\n\s+…/, "continuation line with indent");
  await app.type("return x * x");
  await app.type(ENTER);
  await app.type("}");
  await app.type(ENTER);
  await app.waitFor("prompt back", () => IDLE.test(app.last()));
  await app.run("sq(12)");
  assert.match(app.screen(), /^144$/m);
  // the multi-line block is one history entry
  assert.ok(app.history.entries.includes("function sq(x: number) {\n  return x * x\n}"), JSON.stringify(app.history.entries));
  app.unmount();
});

test("Up/Down recall history, and history persists in the file across sessions", async () => {
  const file = path.join(dir, "persist-history");
  const a = start(file);
  await a.run("const first = 1");
  await a.run("first + 10");
  await a.type(UP);
  await a.expectLast(/cassperf> first \+ 10/);
  await a.type(UP);
  await a.expectLast(/cassperf> const first = 1/);
  await a.type(DOWN);
  await a.expectLast(/cassperf> first \+ 10/);
  await a.type(DOWN);
  await a.expectLast(IDLE);
  a.unmount();
  assert.deepEqual(readHistory(file), ["const first = 1", "first + 10"]);
  // a new session recalls the previous one's entries
  const b = start(file);
  await b.type(UP);
  await b.expectLast(/cassperf> first \+ 10/);
  b.unmount();
});

test("history is size-limited on disk and in memory", () => {
  const file = path.join(dir, "limited-history");
  const h = new History(file, 3);
  for (const e of ["a", "b", "c", "d", "e"]) h.add(e);
  assert.deepEqual(h.entries, ["c", "d", "e"]);
  assert.deepEqual(readHistory(file), ["c", "d", "e"]);
  assert.equal(new History(file).entries.length, 3);
  assert.equal(HISTORY_MAX_ENTRIES, 1000);
});

test("Tab completes helper names and report fields from TypeScript", async () => {
  const app = start();
  await app.type("gcSt");
  await app.type(TAB);
  await app.waitFor("gcStats completed", () => /cassperf> gcStats/.test(app.last()));
  await app.type(CTRL_C); // clears the line
  // an option name, with the Tab arriving in the same chunk as the text (as tmux send-keys does)
  await app.type("gcStats(undefined, { gcin" + TAB);
  await app.waitFor("option completed", () => /cassperf> gcStats\(undefined, \{ gcinspector/.test(app.last()));
  await app.type(CTRL_C);
  await app.run(`const inv = await inventory(await open(${JSON.stringify(BUNDLE)}))`);
  await app.type("inv.frameN");
  await app.type(TAB);
  await app.waitFor("frameNames completed", () => /cassperf> inv\.frameNames/.test(app.last()));
  await app.type(CTRL_C);
  // several candidates: the common prefix is inserted and the names are listed
  await app.type("inv.ch");
  await app.type(TAB);
  await app.waitFor("chart candidates listed", () => /chart {2}chartBundle {2}chartNames/.test(app.last()));
  await app.expectLast(/cassperf> inv\.chart/);
  app.unmount();
});

test("a report renders: summary, findings, table, a terminal chart; :table pages, :export refuses to overwrite", async () => {
  const app = start();
  await app.run(`await open(${JSON.stringify(BUNDLE)})`);
  await app.run("await inventory()");
  const s = app.screen();
  assert.match(s, /inventory — 3 nodes, 147 files/);
  assert.match(s, /^versions\s+2\.1\.17$/m, "summary");
  assert.match(s, /\[info\] traces\(\) and trace\(\) have nothing to work from/, "findings");
  assert.match(s, /10\.101\.34\.191\s+2\.1\.17\s+49/, "preview table");
  assert.match(s, /chart files: Files per node by kind/, "chart title");
  assert.match(s, /10\.101\.35\.67\s+█+ 22/, "bars drawn with blocks");
  // findings are coloured by severity (cyan for info)
  assert.match(app.frames.join("\n"), /\x1b\[36m\[info\] traces\(\) and trace\(\)/);
  await app.run(":table files");
  assert.match(app.screen(), /files: rows 1–20 of 147 \(page 1\/8\)/);
  await app.run(":more");
  assert.match(app.screen(), /files: rows 21–40 of 147 \(page 2\/8\)/);
  const csv = path.join(dir, "nodes.csv");
  await app.run(`:export nodes ${csv}`);
  const text = fs.readFileSync(csv, "utf8");
  assert.match(text, /^node,version,files,kinds,logs_from,logs_to\n10\.101\.34\.191,2\.1\.17,49,/);
  fs.writeFileSync(csv, "keep me");
  await app.run(`:export nodes ${csv}`);
  assert.match(app.screen(), /already exists: not overwritten \(add --force to replace it\)/);
  assert.equal(fs.readFileSync(csv, "utf8"), "keep me");
  await app.run(`:export nodes ${csv} --force`);
  assert.match(fs.readFileSync(csv, "utf8"), /^node,version/);
  const svg = path.join(dir, "files.svg");
  await app.run(`:save files ${svg}`);
  assert.match(fs.readFileSync(svg, "utf8"), /^<svg/);
  await app.run(":source");
  assert.match(app.screen(), /recorded diagnostic bundle .*cassandra-2\.1\.17/);
  app.unmount();
});

test(":image shows a chart inline where the terminal speaks iTerm2's protocol, and says why not elsewhere", async () => {
  const plain = start(undefined, { env: {} });
  await plain.run(`await inventory(${JSON.stringify(BUNDLE)})`);
  await plain.run(":image files");
  assert.match(plain.screen(), /this terminal does not show inline images/);
  plain.unmount();
  const iterm = start(undefined, { env: { TERM_PROGRAM: "iTerm.app" } });
  await iterm.run(`await inventory(${JSON.stringify(BUNDLE)})`);
  await iterm.run(":image files");
  const m = /\x1b\]1337;File=inline=1;size=(\d+);width=\d+;preserveAspectRatio=1:([A-Za-z0-9+/=]+)\x07/.exec(iterm.frames.join("\n"));
  assert.ok(m, "iTerm2 inline image escape written");
  const png = Buffer.from(m[2], "base64");
  assert.equal(png.length, Number(m[1]));
  assert.equal(png.readUInt32BE(0), 0x89504e47, "a PNG");
  iterm.unmount();
});

test("errors: one line and a hint; :trace shows the stack", async () => {
  const app = start();
  await app.run('await open("/no/such/dataset")');
  const s = app.screen();
  assert.match(s, /✗ .*\/no\/such\/dataset/);
  assert.match(s, /hint: /);
  assert.doesNotMatch(s, /at .*recorded\.js/, "no stack before :trace");
  await app.run(":trace");
  assert.match(app.screen(), /at .*(recorded|index)\.js/);
  app.unmount();
});

const RUN_CONTEXT = JSON.stringify(path.join(ROOT, "dist", "run-context"));

test("Ctrl-C cancels a helper through its AbortSignal; progress shows a bar and elapsed time", async () => {
  const app = start();
  // A helper honouring the contract: runOptions() gives the line's signal and progress callback.
  await app.type(
    `await new Promise((_, reject) => { const { signal, onProgress } = require(${RUN_CONTEXT}).runOptions(); onProgress({ done: 3, total: 10, label: "token ranges" }); signal.addEventListener("abort", () => reject(signal.reason)); })`,
  );
  await app.type(ENTER);
  await app.waitFor("progress bar", () => /█+░+ 30% 3\/10 token ranges {2}\d+\.\d s {2}Ctrl-C cancels/.test(app.last()));
  await app.type(CTRL_C);
  await app.waitFor("cancelled", () => /✗ cancelled after \d+\.\d s$/m.test(app.screen()));
  await app.waitFor("prompt back", () => IDLE.test(app.last()));
  assert.equal(app.exited(), false, "Ctrl-C does not leave");
  await app.run("1 + 1");
  assert.match(app.screen(), /^2$/m, "the session still works");
  app.unmount();
});

test("Ctrl-C abandons a helper that ignores its signal, and says so", async () => {
  const app = start(undefined, { cancelGraceMs: 200 });
  await app.type("await new Promise(() => {})");
  await app.type(ENTER);
  await app.waitFor("running", () => /running… \d+\.\d s/.test(app.last()));
  await app.type(CTRL_C);
  await app.waitFor("abandoned", () => /did not stop on its signal, so it was abandoned/.test(app.screen()));
  await app.run("'still here'");
  assert.match(app.screen(), /^'still here'$/m);
  app.unmount();
});

test("Ctrl-D on an empty line exits; Ctrl-C on a line clears it", async () => {
  const app = start();
  await app.type("half typed");
  await app.type(CTRL_C);
  await app.expectLast(IDLE);
  await app.type(CTRL_D);
  await app.waitFor("exit", () => app.exited());
  app.unmount();
});
