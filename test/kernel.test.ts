/**
 * The Jupyter kernel against the real protocol: `cassperf kernel install --prefix` into a temporary
 * folder, then jupyter_kernel_test (Debian's python3-jupyter-kernel-test) plus cassperf's own
 * protocol checks (test/kernel/test_cassperf_kernel.py) against the installed kernel via
 * JUPYTER_PATH. Also install/uninstall and their bad input.
 *
 * jupyter_kernel_test cases that do not apply (skipped by the suite itself, asserted below):
 *   test_pager        — IPython's `obj?` pager payload; TypeScript has no such syntax;
 *   test_clear_output — the kernel's language has no clear_output call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, data, tempDir } from "./support";

const CLI = path.join(ROOT, "dist", "cli.js");
const PY = "/usr/bin/python3";

function cassperf(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

test("kernel install --prefix writes kernel.json with absolute node and launcher paths; uninstall removes it", () => {
  const prefix = tempDir();
  const r = cassperf(["kernel", "install", "--prefix", prefix, "--name", "cassperf-t1"]);
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(prefix, "share", "jupyter", "kernels", "cassperf-t1", "kernel.json");
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.equal(spec.argv[0], process.execPath);
  assert.equal(spec.argv[1], path.join(ROOT, "dist", "kernel", "launcher.js"));
  assert.equal(spec.argv[2], "{connection_file}");
  assert.equal(spec.language, "typescript");
  assert.equal(spec.interrupt_mode, "signal");
  assert.equal(spec.env.TZ, "UTC");
  // jupyter_client itself sees it (no IPython involved)
  const listed = spawnSync(PY, ["-c", "from jupyter_client.kernelspec import KernelSpecManager as K; print(K().find_kernel_specs())"], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
  });
  assert.match(listed.stdout, /cassperf-t1/);
  const u = cassperf(["kernel", "uninstall", "--prefix", prefix, "--name", "cassperf-t1"]);
  assert.equal(u.status, 0, u.stderr);
  assert.equal(fs.existsSync(file), false);
  const again = cassperf(["kernel", "uninstall", "--prefix", prefix, "--name", "cassperf-t1"]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /no kernel "cassperf-t1" is installed/);
});

test("kernel install --user honours JUPYTER_DATA_DIR", () => {
  const dir = tempDir();
  const r = cassperf(["kernel", "install", "--user"], { JUPYTER_DATA_DIR: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, "kernels", "cassperf", "kernel.json")));
});

test("kernel install: bad flags are named", () => {
  // A wrong command line is exit 2 with the usage (src/cli-args.ts EXIT_USAGE); a bad value found later is exit 1.
  const both = cassperf(["kernel", "install", "--user", "--prefix", "/tmp/x"]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /^cassperf kernel install: --user and --prefix exclude each other/);
  assert.match(both.stderr, /usage: cassperf kernel install/);
  const name = cassperf(["kernel", "install", "--prefix", tempDir(), "--name", "bad name!"]);
  assert.equal(name.status, 1);
  assert.match(name.stderr, /--name "bad name!"/);
  const unknown = cassperf(["kernel", "install", "--sys"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^cassperf kernel install: unknown option --sys\n/);
});

test("jupyter_kernel_test and cassperf's protocol checks pass against the installed kernel", () => {
  const prefix = tempDir();
  const inst = cassperf(["kernel", "install", "--prefix", prefix, "--name", "cassperf-jkt"]);
  assert.equal(inst.status, 0, inst.stderr);
  const r = spawnSync(PY, [path.join(ROOT, "test", "kernel", "test_cassperf_kernel.py")], {
    encoding: "utf8",
    cwd: tempDir(),
    timeout: 300_000,
    env: {
      ...process.env,
      JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
      CASSPERF_KERNEL_NAME: "cassperf-jkt",
      CASSPERF_TEST_SOURCE: data("diag", "dse68"),
    },
  });
  const out = r.stderr;
  assert.equal(r.status, 0, out.slice(-4000));
  assert.match(out, /OK \(skipped=2\)/);
  // The two skipped cases are exactly the non-applicable ones.
  const skipped = [...out.matchAll(/^(test_\w+) .*\.\.\. skipped/gm)].map((m) => m[1]).sort();
  assert.deepEqual(skipped, ["test_clear_output", "test_pager"]);
  for (const t of [
    "test_kernel_info",
    "test_error",
    "test_execute_result",
    "test_is_complete",
    "test_history",
    "test_display_data",
    "test_completion",
    "test_inspect",
    "test_cassperf_interrupt",
    "test_cassperf_stop_on_error",
    "test_cassperf_late_errors_keep_kernel_alive",
    "test_cassperf_error_is_short",
    "test_cassperf_helper_wrong_argument",
    "test_cassperf_report_outputs",
    "test_cassperf_prelude_typed",
    "test_cassperf_rejected_promise",
    "test_cassperf_frame_as_table",
    "test_cassperf_frame_head_tail_and_escaping",
    "test_cassperf_interrupt_stops_a_large_parse_with_a_partial_result",
    "test_cassperf_complete_chart_frame_and_path_names",
    "test_cassperf_hover_inside_parentheses",
    "test_cassperf_type_error_names_the_cells_line",
  ]) {
    assert.match(out, new RegExp(`^${t} .*\\.\\.\\. ok`, "m"), `${t} did not pass`);
  }
});
