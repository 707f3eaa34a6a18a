/**
 * `cassperf kernel install/uninstall` and `cassperf run` with careless input: names that are not a
 * kernel folder, other kernels' kernelspecs, --out over an existing file / a folder / a missing
 * folder, the in-place run's backup, an infinite parameter, and a run stopped by a signal or
 * killed outright (its kernel must not outlive it). Real processes and real Jupyter (Debian's
 * python3-nbclient); nothing mocked.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";

const CLI = path.join(ROOT, "dist", "cli.js");

function cassperf(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
}

/** Every file under a folder with its content, to compare a tree before and after. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        out[r + "/"] = "";
        walk(r);
      } else out[r] = fs.readFileSync(path.join(root, r), "utf8");
    }
  };
  walk("");
  return out;
}

/** A Jupyter prefix holding another kernel and other Jupyter data, as a real one does. */
function prefixWithOtherKernels(): { prefix: string; kernels: string } {
  const prefix = tempDir();
  const kernels = path.join(prefix, "share", "jupyter", "kernels");
  fs.mkdirSync(path.join(kernels, "python3"), { recursive: true });
  // ipykernel's kernel.json (ipykernel/kernelspec.py writes this shape).
  fs.writeFileSync(
    path.join(kernels, "python3", "kernel.json"),
    JSON.stringify({ argv: ["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], display_name: "Python 3", language: "python" }),
  );
  fs.mkdirSync(path.join(prefix, "share", "jupyter", "nbextensions"), { recursive: true });
  fs.writeFileSync(path.join(prefix, "share", "jupyter", "nbextensions", "keep.js"), "// the user's");
  return { prefix, kernels };
}

test("kernel install/uninstall refuse '.', '..', 'a/b' and '' and delete nothing", () => {
  const { prefix } = prefixWithOtherKernels();
  const before = snapshot(prefix);
  for (const name of [".", "..", "...", "a/b", "../x", ""]) {
    for (const cmd of ["uninstall", "install"]) {
      const r = cassperf(["kernel", cmd, "--prefix", prefix, "--name", name]);
      assert.equal(r.status, 1, `${cmd} --name ${JSON.stringify(name)}: ${r.stderr}`);
      assert.match(r.stderr, /--name .*a kernel name is a folder name/, `${cmd} --name ${JSON.stringify(name)}`);
    }
  }
  assert.deepEqual(snapshot(prefix), before, "nothing under the prefix changed");
});

test("kernel uninstall/install never touch another kernel's kernelspec; uninstall keeps the user's own files", () => {
  const { prefix, kernels } = prefixWithOtherKernels();
  const before = snapshot(prefix);
  const u = cassperf(["kernel", "uninstall", "--prefix", prefix, "--name", "python3"]);
  assert.equal(u.status, 1);
  assert.match(u.stderr, /is not a cassperf kernelspec/);
  const i = cassperf(["kernel", "install", "--prefix", prefix, "--name", "python3"]);
  assert.equal(i.status, 1);
  assert.match(i.stderr, /holds another kernel's kernelspec/);
  assert.deepEqual(snapshot(prefix), before, "python3's kernelspec is untouched");

  assert.equal(cassperf(["kernel", "install", "--prefix", prefix, "--name", "cassperf-t"]).status, 0);
  const mine = path.join(kernels, "cassperf-t");
  fs.writeFileSync(path.join(mine, "notes.txt"), "the user's file");
  const r = cassperf(["kernel", "uninstall", "--prefix", prefix, "--name", "cassperf-t"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(mine), ["notes.txt"], "only the files install wrote are removed");
  assert.equal(cassperf(["kernel", "install", "--prefix", prefix, "--name", "cassperf-t"]).status, 0, "re-install over our own kernelspec");
});

/** A notebook for the cassperf kernel from code cells. */
function notebook(file: string, cells: string[], outputs: unknown[][] = []): void {
  const nb = {
    cells: cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: outputs[i] ?? [], source })),
    metadata: { kernelspec: { name: "cassperf", display_name: "cassperf", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb));
}

test("cassperf run --out: an existing file needs --force; a folder or a missing folder is one clear line", () => {
  const dir = tempDir();
  const nb = path.join(dir, "in.ipynb");
  notebook(nb, ["1 + 1"]);
  const existing = path.join(dir, "results.ipynb");
  fs.writeFileSync(existing, "the user's earlier results");
  const r = cassperf(["run", nb, "--out", existing]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--out .*results\.ipynb already exists; refusing to write over it/);
  assert.match(r.stderr, /--force/);
  assert.equal(fs.readFileSync(existing, "utf8"), "the user's earlier results");

  const folder = cassperf(["run", nb, "--out", dir]);
  assert.equal(folder.status, 1);
  assert.match(folder.stderr, /that is a folder/);
  const missing = cassperf(["run", nb, "--out", path.join(dir, "no", "such", "out.ipynb")]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /the folder .*no\/such does not exist/);
  for (const x of [folder, missing]) assert.equal(x.stderr.trim().split("\n").length <= 2, true, `one line and a hint, no stack: ${x.stderr}`);

  const forced = cassperf(["run", nb, "--out", existing, "--force"]);
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal([JSON.parse(fs.readFileSync(existing, "utf8")).cells[0].outputs[0].data["text/plain"]].flat().join(""), "2", "1 + 1 ran");
});

test("cassperf run in place keeps the previous version, outputs included, beside the notebook and says so", () => {
  const dir = tempDir();
  const nb = path.join(dir, "runbook.ipynb");
  const previous = [[{ output_type: "stream", name: "stdout", text: "last week's findings\n" }]];
  notebook(nb, ["2 + 3"], previous);
  const before = fs.readFileSync(nb, "utf8");
  const r = cassperf(["run", nb]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /previous version is in .*runbook\.ipynb\.bak/);
  assert.equal(fs.readFileSync(`${nb}.bak`, "utf8"), before, "the backup is the notebook as it was");
  assert.equal([JSON.parse(fs.readFileSync(nb, "utf8")).cells[0].outputs[0].data["text/plain"]].flat().join(""), "5");
});

test("cassperf run -p pauseMs 1e999: one clear line, nothing run", () => {
  const out = path.join(tempDir(), "gc.ipynb");
  const r = cassperf(["run", path.join(ROOT, "notebooks", "2-gc-pause-postmortem.ipynb"), "-p", "pauseMs", "1e999", "--out", out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^cassperf: parameter "pauseMs" expects a finite number, but -p pauseMs gave "1e999"/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack");
  assert.equal(fs.existsSync(out), false);
});

/** Parent pid of a process from /proc (Linux), or undefined when it is gone. */
function ppidOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return undefined; // a zombie is gone
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The children of a pid (from /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => ppidOf(p) === pid);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Start `cassperf run` on a notebook whose second cell waits two minutes, with its own TMPDIR;
 * returns once that cell is running, with the runner, nbclient and kernel pids.
 */
async function runningNotebook() {
  const dir = tempDir();
  const tmp = path.join(dir, "tmp");
  fs.mkdirSync(tmp);
  const nb = path.join(dir, "slow.ipynb");
  notebook(nb, ["1 + 1", "await new Promise((r) => setTimeout(r, 120_000))"]);
  const runner = spawn(process.execPath, [CLI, "run", nb, "--out", path.join(dir, "out.ipynb")], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  runner.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => runner.on("exit", (code, sig) => r(code ?? (sig ? 128 : null))));
  await waitFor("the first cell to run", 90_000, () => /cell 1\/2 ok/.test(stderr));
  const python = childrenOf(runner.pid!)[0];
  assert.ok(python, "nbclient runs as a child of cassperf run");
  const kernel = await waitFor("the kernel process", 10_000, () =>
    childrenOf(python).find((p) => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("launcher.js")),
  );
  return { runner, tmp, python, kernel, exited, stderr: () => stderr };
}

for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`cassperf run stopped by ${sig}: the kernel exits and no temporary folder is left`, {
    skip: process.platform !== "linux" && "reads /proc",
  }, async () => {
    const r = await runningNotebook();
    process.kill(r.runner.pid!, sig);
    const code = await r.exited;
    assert.notEqual(code, 0, "a stopped run does not exit 0");
    await waitFor("the kernel to exit", 5_000, () => ppidOf(r.kernel) === undefined);
    assert.equal(ppidOf(r.python), undefined, "nbclient exited");
    assert.deepEqual(fs.readdirSync(r.tmp), [], "nothing left in TMPDIR");
    assert.match(r.stderr(), new RegExp(`stopped by ${sig}`));
  });
}

test("cassperf run killed with SIGKILL: nbclient notices its parent is gone, shuts the kernel down and removes the temporary folder within seconds", {
  skip: process.platform !== "linux" && "reads /proc",
}, async () => {
  const r = await runningNotebook();
  process.kill(r.runner.pid!, "SIGKILL");
  await r.exited;
  // nbclient polls its parent each second, then the kernel its own (JPY_PARENT_PID): two polls plus shutdown.
  await waitFor("the kernel to exit", 8_000, () => ppidOf(r.kernel) === undefined);
  await waitFor("nbclient to exit", 8_000, () => ppidOf(r.python) === undefined);
  await waitFor("the temporary kernelspec folder to go", 5_000, () => fs.readdirSync(r.tmp).length === 0);
});

test("the kernel exits within seconds when the process that started it dies (JPY_PARENT_PID)", {
  skip: process.platform !== "linux" && "reads /proc",
}, async () => {
  const dir = tempDir();
  // A connection file as jupyter_client writes it (jupyter_client/connect.py write_connection_file), on free ports.
  const net = await import("node:net");
  const ports: number[] = [];
  for (let i = 0; i < 5; i++) {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    ports.push((srv.address() as import("node:net").AddressInfo).port);
    await new Promise<void>((r) => srv.close(() => r()));
  }
  const conn = path.join(dir, "kernel-test.json");
  fs.writeFileSync(
    conn,
    JSON.stringify({
      shell_port: ports[0],
      iopub_port: ports[1],
      stdin_port: ports[2],
      control_port: ports[3],
      hb_port: ports[4],
      ip: "127.0.0.1",
      key: "k",
      transport: "tcp",
      signature_scheme: "hmac-sha256",
      kernel_name: "cassperf",
    }),
  );
  // The parent: a shell that starts the kernel as Jupyter does (JPY_PARENT_PID = its own pid) and waits.
  const launcher = path.join(ROOT, "dist", "kernel", "launcher.js");
  const parent = spawn("sh", ["-c", `JPY_PARENT_PID=$$ "${process.execPath}" "${launcher}" "${conn}" & echo $!; wait`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  parent.stdout!.on("data", (d) => (out += d));
  const kernel = await waitFor("the kernel pid", 10_000, () => Number(out.trim()) || undefined);
  // Wait until it serves: its heartbeat port accepts a connection (the prelude has compiled).
  const serving = async () =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(ports[4], "127.0.0.1", () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
  const t0 = Date.now();
  while (!(await serving())) {
    if (Date.now() - t0 > 90_000) assert.fail("the kernel never served its heartbeat port");
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(ppidOf(kernel), parent.pid, "the kernel runs under its parent");
  process.kill(parent.pid!, "SIGKILL");
  await waitFor("the kernel to exit", 4_000, () => ppidOf(kernel) === undefined);
});
