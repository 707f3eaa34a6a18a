/**
 * Shared test support: where the real data is, and the lab cluster the test run started.
 *
 * Real data lives in test/fixtures/data (copied from real nodes and JVMs, see the PROVENANCE.md of each
 * folder there: diag, gc, jmx, lab, logs); the repo needs nothing beside it. The lab is started once per test
 * run by scripts/test.mjs, which exports CASSPERF_LAB_DIR and CASSPERF_LAB_NODES; live-path tests
 * call labOrSkip(t) and, in CI (CI=true), fail instead of skipping when the lab is missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** test/fixtures/data: the real recordings the tests read (provenance in each folder's PROVENANCE.md). */
export const DATA = path.resolve(__dirname, "fixtures/data");
/** The repo root. */
export const ROOT = path.resolve(__dirname, "..");

/** A path inside test/fixtures/data. */
export function data(...parts: string[]): string {
  return path.join(DATA, ...parts);
}

/** A fresh temporary folder, removed by the caller (or at exit). */
export function tempDir(prefix = "cassperf-test-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once("exit", () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A temporary one-node bundle folder: `files` (a path under nodes/<node>/ -> content) written under nodes/10.0.0.1/. */
export function oneNodeBundle(files: Record<string, string | Buffer>, prefix = "cassperf-test-"): string {
  const dir = tempDir(prefix);
  for (const [rel, content] of Object.entries(files)) {
    const to = path.join(dir, "nodes/10.0.0.1", rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content);
  }
  return dir;
}

/** The lab started for this test run: its folder and contact points; undefined when none. */
export function lab(): { dir: string; contactPoints: string[] } | undefined {
  const dir = process.env.CASSPERF_LAB_DIR;
  const nodes = process.env.CASSPERF_LAB_NODES;
  if (!dir || !nodes) return undefined;
  return { dir, contactPoints: nodes.split(",") };
}

/**
 * The lab, or skip this test (locally) / fail it (in CI, where the lab must run).
 * @example test("traced QUORUM read", async (t) => { const l = labOrSkip(t); if (!l) return; ... })
 */
export function labOrSkip(t: { skip: (msg?: string) => void }): { dir: string; contactPoints: string[] } | undefined {
  const l = lab();
  if (l) return l;
  if (process.env.CI === "true") throw new Error("the lab cluster is not running: scripts/test.mjs starts it (CASSPERF_LAB_DIR unset)");
  t.skip("no lab cluster (run the tests with `npm test`, which starts one)");
  return undefined;
}

/** The Cassandra 5.0 lab of this test run (scripts/test.mjs exports CASSPERF_LAB50_DIR / CASSPERF_LAB50_NODES); undefined when none. */
export function lab50(): { dir: string; contactPoints: string[] } | undefined {
  const dir = process.env.CASSPERF_LAB50_DIR;
  const nodes = process.env.CASSPERF_LAB50_NODES;
  if (!dir || !nodes) return undefined;
  return { dir, contactPoints: nodes.split(",") };
}

/**
 * The 5.0 lab, or skip this test (locally) / fail it (in CI, where scripts/test.mjs starts it).
 * @example test("5.0 trace", async (t) => { const l = lab50OrSkip(t); if (!l) return; ... })
 */
export function lab50OrSkip(t: { skip: (msg?: string) => void }): { dir: string; contactPoints: string[] } | undefined {
  const l = lab50();
  if (l) return l;
  if (process.env.CI === "true") throw new Error("the Cassandra 5.0 lab is not running: scripts/test.mjs starts it (CASSPERF_LAB50_DIR unset)");
  t.skip("no Cassandra 5.0 lab (run the tests with `npm test`, which starts one; CASSPERF_NO_LAB50=1 or no mvn skips it)");
  return undefined;
}

/** Every system/debug log file under `dir` (files ending .log, GC logs left out), sorted: the log fixtures the logs() tests walk. */
export function logFixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...logFixtureFiles(p));
    else if (e.name.endsWith(".log") && !/gc/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** A logs() node task over log files (in the order given: oldest rotation first), debug.log files told by name, dated 2020-01-01. */
export function nodeLogTask(node: string, files: string[], keep: import("../src/analyze/logs/log-node").NodeLogTask["keep"]) {
  return {
    node,
    files: files.map((f, index) => ({
      index,
      path: f,
      rel: path.basename(f),
      kind: /debug/.test(path.basename(f)) ? ("debug-log" as const) : ("system-log" as const),
      name: f,
      size: fs.statSync(f).size,
    })),
    date: "2020-01-01",
    keep,
  };
}

/**
 * A copy of the real lab logs (fixtures/data/lab: node1-3, system.log and gc.log) in a new folder, node2's system.log times
 * moved 5 minutes ahead — a mock of a node whose clock is off (no real bundle of one is at hand).
 */
export function labWithNode2ClockAhead(prefix = "cassperf-test-"): string {
  const dir = tempDir(prefix);
  for (const n of ["node1", "node2", "node3"]) {
    fs.mkdirSync(path.join(dir, n));
    fs.copyFileSync(data("lab", n, "gc.log"), path.join(dir, n, "gc.log"));
    let text = fs.readFileSync(data("lab", n, "system.log"), "utf8");
    if (n === "node2")
      text = text.replace(/^(\w+\s+)(\d\d):(\d\d):(\d\d)/gm, (_m, lvl, h, mi, s) => {
        const t = (+h * 60 + +mi + 5) * 60 + +s;
        const p = (x: number) => String(x).padStart(2, "0");
        return `${lvl}${p(Math.floor(t / 3600) % 24)}:${p(Math.floor(t / 60) % 60)}:${p(t % 60)}`;
      });
    fs.writeFileSync(path.join(dir, n, "system.log"), text);
  }
  return dir;
}
