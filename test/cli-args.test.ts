/**
 * One argument convention for every command (src/cli-args.ts): the real built CLI
 * (`node dist/cli.js …`) run as a subprocess for `cassperf` (the REPL's flags), `lab`, `kernel`,
 * `run` and `report`:
 * - `--x=y` and `--x y` give the same result (the same effect on disk, or the same message);
 * - an unknown flag is refused with ONE line naming it, then the usage, and exit 2;
 * - `--help` / `-h` prints the usage on stdout and exits 0 for every subcommand, running nothing.
 * Expected values: the usage lines are the first line each module's USAGE constant starts with
 * (grep `usage: cassperf` in src/), exit 2 is the shell's "misuse" convention the module names.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_USAGE, parseCommand, splitAtPassThrough } from "../src/cli-args";
import { ROOT, tempDir } from "./support";

const CLI = path.join(ROOT, "dist", "cli.js");

function cassperf(args: string[]) {
  // stdin closed (not a TTY): the REPL would refuse to start, so nothing interactive can hang.
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
}

/** Every subcommand and the first line of the usage it must print (from the USAGE constants). */
const HELP: [string[], RegExp][] = [
  [["--help"], /^usage: cassperf \[repl\]/],
  [["-h"], /^usage: cassperf \[repl\]/],
  [["help"], /^usage: cassperf \[repl\]/],
  [["repl", "--help"], /^usage: cassperf \[repl\] \[--open path/],
  [["--open", "x", "-h"], /^usage: cassperf \[repl\] \[--open path/],
  [["report", "--help"], /^usage: cassperf report/],
  [["report", "some/path", "-h"], /^usage: cassperf report/],
  [["lab", "--help"], /^usage: cassperf lab start/],
  [["lab", "start", "--help"], /^usage: cassperf lab start/],
  [["lab", "stop", "-h"], /^usage: cassperf lab start/],
  [["lab", "status", "--help"], /^usage: cassperf lab start/],
  [["lab", "nodetool", "--help"], /^usage: cassperf lab start/],
  [["lab", "stress", "--help"], /^usage: cassperf lab start/],
  [["kernel", "--help"], /^usage: cassperf kernel install/],
  [["kernel", "install", "--help"], /^usage: cassperf kernel install/],
  [["kernel", "uninstall", "-h"], /^usage: cassperf kernel install/],
  [["run", "--help"], /^usage: cassperf run <notebook\.ipynb>/],
  [["run", "nb.ipynb", "-p", "a", "1", "--help"], /^usage: cassperf run <notebook\.ipynb>/],
];

test("--help / -h: every subcommand prints its usage on stdout and exits 0", () => {
  for (const [args, usage] of HELP) {
    const r = cassperf(args);
    assert.equal(r.status, 0, `cassperf ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, usage, `cassperf ${args.join(" ")}`);
    assert.equal(r.stderr, "", `cassperf ${args.join(" ")} printed nothing else (nothing ran)`);
  }
});

test("an unknown flag is refused: one line naming it, then the usage, exit 2", () => {
  const cases: [string[], string, RegExp][] = [
    [["--bogus"], "cassperf: unknown option --bogus", /^usage: cassperf \[repl\]/],
    [["repl", "--bogus=1"], "cassperf: unknown option --bogus", /^usage: cassperf \[repl\]/],
    [["lab", "start", "--bogus"], "cassperf lab start: unknown option --bogus", /^usage: cassperf lab start/],
    [["lab", "status", "--nodes", "3"], "cassperf lab status: unknown option --nodes", /^usage: cassperf lab start/],
    [["lab", "nodetool", "--bogus", "node1", "status"], "cassperf lab nodetool: unknown option --bogus", /^usage: cassperf lab start/],
    [["kernel", "install", "--bogus"], "cassperf kernel install: unknown option --bogus", /^usage: cassperf kernel install/],
    [["kernel", "uninstall", "-x"], "cassperf kernel uninstall: unknown option -x", /^usage: cassperf kernel install/],
    [["run", "nb.ipynb", "--bogus=1"], "cassperf run: unknown option --bogus", /^usage: cassperf run/],
    [["frobnicate"], 'cassperf: unknown command "frobnicate"', /^usage: cassperf \[repl\]/],
  ];
  for (const [args, line, usage] of cases) {
    const r = cassperf(args);
    assert.equal(r.status, EXIT_USAGE, `cassperf ${args.join(" ")}: ${r.stderr}`);
    const [first, ...rest] = r.stderr.trimEnd().split("\n");
    assert.equal(first, line);
    assert.match(rest.join("\n"), usage);
    assert.equal(r.stdout, "");
  }
});

test("a missing value or a stray argument is refused the same way (exit 2)", () => {
  const cases: [string[], string][] = [
    [["--open"], "cassperf: --open needs a value"],
    [["--open", "--connect", "h"], 'cassperf: --open needs a value (for one that starts with "-", write --open=-value)'],
    [["lab", "stop", "--dir"], "cassperf lab stop: --dir needs a value"],
    [["lab", "start", "--clean=yes"], "cassperf lab start: --clean takes no value"],
    [["lab", "start", "extra"], 'cassperf lab start: unexpected argument "extra"'],
    [["kernel", "install", "--prefix"], "cassperf kernel install: --prefix needs a value"],
    [["run"], "cassperf run: missing the notebook"],
    [["run", "a.ipynb", "b.ipynb"], 'cassperf run: one notebook at a time; unexpected "b.ipynb"'],
    [["run", "a.ipynb", "-p", "x"], "cassperf run: -p needs a name and a value: -p name value"],
  ];
  for (const [args, line] of cases) {
    const r = cassperf(args);
    assert.equal(r.status, EXIT_USAGE, `cassperf ${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.split("\n")[0], line);
    assert.match(r.stderr.split("\n")[1], /^usage: cassperf/);
  }
});

test("kernel: --prefix=P --name=N installs exactly what --prefix P --name N installs", () => {
  const tree = (prefix: string) => fs.readFileSync(path.join(prefix, "share", "jupyter", "kernels", "cassperf-eq", "kernel.json"), "utf8");
  const a = tempDir();
  const b = tempDir();
  const ra = cassperf(["kernel", "install", `--prefix=${a}`, "--name=cassperf-eq", "--display-name=eq test"]);
  const rb = cassperf(["kernel", "install", "--prefix", b, "--name", "cassperf-eq", "--display-name", "eq test"]);
  assert.equal(ra.status, 0, ra.stderr);
  assert.equal(rb.status, 0, rb.stderr);
  assert.equal(tree(a), tree(b));
  assert.match(tree(a), /"display_name": "eq test"/);
  assert.equal(ra.stdout.replaceAll(a, "P"), rb.stdout.replaceAll(b, "P"));
  const ua = cassperf(["kernel", "uninstall", `--prefix=${a}`, "--name=cassperf-eq"]);
  assert.equal(ua.status, 0, ua.stderr);
  assert.equal(fs.existsSync(path.join(a, "share", "jupyter", "kernels", "cassperf-eq")), false);
});

test("lab, run, cassperf: --x=y and --x y reach the same place", () => {
  const missing = path.join(tempDir(), "no-lab-here");
  const same = (x: string[], y: string[]) => {
    const rx = cassperf(x);
    const ry = cassperf(y);
    assert.equal(rx.status, ry.status, `${x.join(" ")} vs ${y.join(" ")}`);
    assert.equal(rx.stderr, ry.stderr);
    assert.equal(rx.stdout, ry.stdout);
    return rx;
  };
  // lab: the --dir value is used in both forms (the error names that folder: no lab.json there).
  const lab = same(["lab", "status", `--dir=${missing}`], ["lab", "status", "--dir", missing]);
  assert.equal(lab.status, 1);
  assert.match(lab.stderr, new RegExp(`no lab in ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  // run: --timeout's value is read (and checked) in both forms.
  const run = same(["run", "nb.ipynb", "--timeout=0"], ["run", "nb.ipynb", "--timeout", "0"]);
  assert.match(run.stderr, /--timeout expects a number of seconds, got "0"/);
  same(["run", "nb.ipynb", "--timeout=abc"], ["run", "nb.ipynb", "--timeout", "abc"]);
  // cassperf (REPL flags): both values are seen, so both forms meet the same --open/--connect check.
  const repl = same(["--open=a", "--connect=h"], ["--open", "a", "--connect", "h"]);
  assert.equal(repl.status, 1);
  assert.match(repl.stderr, /--open and --connect cannot both be given/);
});

test("parseCommand: both forms give equal values; pass-through args stay untouched", () => {
  const spec = {
    command: "t",
    usage: "usage: t",
    options: { out: { type: "string" }, p: { type: "string", short: "p", multiple: true }, f: { type: "boolean" } },
  } as const;
  const a = parseCommand({ ...spec, positionals: { max: 1 } }, ["--out=x", "-p", "1", "--p=2", "nb", "--f"]);
  const b = parseCommand({ ...spec, positionals: { max: 1 } }, ["--out", "x", "-p1", "--p", "2", "nb", "--f"]);
  assert.deepEqual(a, b);
  assert.deepEqual(a, { help: false, values: { out: "x", p: ["1", "2"], f: true }, positionals: ["nb"] });
  // `lab stress --dir D write n=10 -rate threads=4`: D is the lab's, the rest goes to cassandra-stress as typed.
  const dir = { dir: { type: "string" } } as const;
  assert.deepEqual(splitAtPassThrough(["--dir", "D", "write", "n=10", "-rate", "threads=4"], dir), {
    own: ["--dir", "D"],
    rest: ["write", "n=10", "-rate", "threads=4"],
  });
  assert.deepEqual(splitAtPassThrough(["--dir=D", "node1", "status", "-r"], dir), { own: ["--dir=D"], rest: ["node1", "status", "-r"] });
  assert.deepEqual(splitAtPassThrough(["--", "--dir", "x"], dir), { own: [], rest: ["--dir", "x"] });
});
