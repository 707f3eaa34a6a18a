/**
 * `cassperf run <notebook.ipynb> [-p name value]... [--out out.ipynb] [--timeout s]`: execute a
 * runbook top to bottom, papermill-style.
 *
 * 1. read the notebook; check every -p against the parameters cell's types (parameters.ts) and
 *    stop, naming the parameter, before anything runs;
 * 2. write the notebook with an `injected-parameters` cell to --out (default: the input itself,
 *    which is how the committed runbooks get their outputs; its previous version, outputs included,
 *    is first copied to `<notebook>.bak`). An existing --out file is replaced only with --force;
 *    --out naming a folder or a file in a missing folder is refused before anything runs;
 *    Cells run in the INPUT notebook's folder (as Jupyter would run it), so its relative paths
 *    (the default `../datasets/lab-3node`) mean the same wherever --out points;
 * 3. execute it with nbclient (kernel/run_notebook.py, Debian's python3-nbclient) on THIS
 *    package's kernel: a temporary kernelspec on JUPYTER_PATH, so nothing needs installing;
 * 4. exit 0 when every cell ran, 1 when one failed (the notebook is still written, with the error).
 * SIGINT/SIGTERM/SIGHUP stop the run: nbclient and its kernel are stopped and the temporary folder
 * removed. If the runner dies without a chance to do that (SIGKILL), run_notebook.py and the
 * kernel each notice that their parent is gone within a second or two and exit.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommand, printUsage, UsageError } from "../cli-args";
import { CassperfError } from "../errors";
import { KERNEL_NAME, kernelJson, LAUNCHER, PACKAGE_ROOT } from "./kernelspec";
import { injectParameters, type NotebookJson } from "./parameters";
import { checkPathParameters, resolvePathParameters } from "./path-params";

const USAGE = `usage: cassperf run <notebook.ipynb> [-p name value]... [--out out.ipynb [--force]] [--timeout seconds] [--allow-errors]
  -p name value   set a parameter of the cell tagged "parameters" (checked against its type before anything runs)
  --out file      where the executed notebook goes (default: the notebook itself, outputs included;
                  its previous version is kept as <notebook>.bak)
  --force         replace an existing --out file
  --timeout s     per-cell timeout in seconds (default 600)
  --allow-errors  run every cell even when one fails; failed cells are marked (tag "failed") and named
                  at the end, and the exit status is still 1`;

/** Parsed `cassperf run` arguments. */
export interface RunArgs {
  notebook: string;
  parameters: [string, string][];
  out?: string;
  /** Replace an existing --out file. */
  force?: boolean;
  /** Per-cell timeout in seconds (default 600). */
  timeout: number;
}

const RUN_OPTIONS = {
  parameter: { type: "string", short: "p", multiple: true },
  out: { type: "string", short: "o" },
  force: { type: "boolean" },
  timeout: { type: "string" },
} as const;

const RUN_COMMAND = { command: "cassperf run", usage: USAGE };

/**
 * `-p name value` takes two values, which parseArgs cannot express: each is rewritten to
 * `--parameter=name=value` first (a value may start with "-", e.g. `-p delta -5`).
 */
function joinParameterPairs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const inline = a.startsWith("--parameter=") ? a.slice("--parameter=".length) : undefined;
    if (a !== "-p" && a !== "--parameter" && inline === undefined) {
      if (a === "--") {
        out.push(...args.slice(i));
        break;
      }
      out.push(a);
      continue;
    }
    const name = inline ?? args[i + 1];
    const value = args[i + (inline === undefined ? 2 : 1)];
    if (name === undefined || value === undefined || name.startsWith("-") || name.includes("=")) {
      throw new UsageError(RUN_COMMAND.command, `${inline === undefined ? a : "--parameter"} needs a name and a value: -p name value`, USAGE);
    }
    out.push(`--parameter=${name}=${value}`);
    i += inline === undefined ? 2 : 1;
  }
  return out;
}

/** Parse `cassperf run`'s arguments; `{ help: true }` for -h/--help; a UsageError names what is wrong. */
export function parseRunArgs(args: string[]): RunArgs | { help: true } {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  const p = parseCommand({ ...RUN_COMMAND, options: RUN_OPTIONS, positionals: { min: 1, max: 1, name: "notebook" } }, joinParameterPairs(args));
  if (p.help) return p;
  const { parameter = [], out, force, timeout: timeoutText } = p.values;
  const parameters = parameter.map((nv): [string, string] => {
    const eq = nv.indexOf("=");
    return [nv.slice(0, eq), nv.slice(eq + 1)];
  });
  const timeout = timeoutText === undefined ? 600 : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(RUN_COMMAND.command, `--timeout expects a number of seconds, got ${JSON.stringify(timeoutText)}`, USAGE);
  return { notebook: p.positionals[0], parameters, timeout, ...(out ? { out } : {}), ...(force ? { force } : {}) };
}

/** Read and parse a notebook, with errors naming the file. */
export function readNotebook(file: string): NotebookJson {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new CassperfError(`${file}: no such notebook.`);
  }
  let nb: NotebookJson;
  try {
    nb = JSON.parse(text) as NotebookJson;
  } catch (e) {
    throw new CassperfError(`${file} is not a notebook: its JSON does not parse (${(e as Error).message}).`);
  }
  if (!Array.isArray(nb.cells)) throw new CassperfError(`${file} is not an nbformat 4 notebook (no "cells" list).`);
  return nb;
}

/** A Python 3 that has nbclient: $CASSPERF_PYTHON, python3 on PATH, or Debian's /usr/bin/python3. */
export function findPython(): string {
  const candidates = [process.env.CASSPERF_PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c);
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import nbclient, nbformat"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  throw new CassperfError("cassperf run needs Python 3 with nbclient and nbformat, and none was found.", {
    hint: "Debian/Ubuntu: apt install python3-nbclient; elsewhere: pip install nbclient; or set CASSPERF_PYTHON",
  });
}

/** A temporary Jupyter data folder holding this package's kernelspec (so run needs no install). */
export function temporaryKernelPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-run-"));
  const kdir = path.join(dir, "kernels", KERNEL_NAME);
  fs.mkdirSync(kdir, { recursive: true });
  fs.writeFileSync(path.join(kdir, "kernel.json"), JSON.stringify(kernelJson(), null, 2));
  return dir;
}

/**
 * Where the executed notebook goes, checked before anything runs: --out must be a file (not a
 * folder) in an existing folder, and an existing one is replaced only with --force. Without --out
 * (or with --out naming the input) the input is rewritten, and `backup` names where its previous
 * version is copied first.
 */
export function outputPlan(a: RunArgs): { out: string; backup?: string } {
  const input = path.resolve(a.notebook);
  const out = path.resolve(a.out ?? a.notebook);
  const st = fs.statSync(out, { throwIfNoEntry: false });
  if (st?.isDirectory())
    throw new CassperfError(`--out ${a.out}: that is a folder; give a notebook file name.`, {
      hint: `e.g. --out ${path.join(a.out ?? ".", path.basename(a.notebook))}`,
    });
  if (out === input) return { out, backup: `${input}.bak` };
  const parent = fs.statSync(path.dirname(out), { throwIfNoEntry: false });
  if (!parent?.isDirectory())
    throw new CassperfError(`--out ${a.out}: the folder ${path.dirname(out)} does not exist.`, {
      hint: "create it first, or choose a file in an existing folder",
    });
  if (st && !a.force)
    throw new CassperfError(`--out ${a.out} already exists; refusing to write over it.`, { hint: "choose a new file name, or add --force to replace it" });
  return { out };
}

/** Signals that stop a run (the kernel and the temporary folder go with it). */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Run run_notebook.py in its own process group, so a stop signal reaches it and nothing else of
 * the caller's; resolves with its exit status, or the signal that stopped the runner.
 */
function runPython(python: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stoppedBy?: NodeJS.Signals }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ["ignore", "inherit", "inherit"], env, detached: true });
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      stoppedBy ??= sig;
      console.error(`cassperf run: ${sig}: stopping the notebook and its kernel`);
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
      // run_notebook.py shuts the kernel down and writes the notebook; if that hangs, stop it outright.
      setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }, 15_000).unref();
    };
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    const done = () => {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    };
    child.on("error", (e) => {
      done();
      reject(new CassperfError(`could not start ${python}: ${e.message}`));
    });
    child.on("exit", (status) => {
      done();
      resolve({ status, ...(stoppedBy ? { stoppedBy } : {}) });
    });
  });
}

/**
 * Take --allow-errors out of the arguments (kept apart from the option parser): run every cell
 * even when one fails, mark the failed ones, exit 1 at the end naming them.
 */
export function takeAllowErrors(args: string[]): { args: string[]; allowErrors: boolean } {
  const rest = args.filter((x) => x !== "--allow-errors");
  return { args: rest, allowErrors: rest.length !== args.length };
}

/**
 * Path parameters made absolute from the directory cassperf run was started in, and every path
 * (given or default) checked — exists, readable, open() accepts it — before the kernel starts.
 */
export async function checkedPathParameters(nb: NotebookJson, a: RunArgs): Promise<[string, string][]> {
  const { values, check } = resolvePathParameters(nb, a.notebook, a.parameters);
  await checkPathParameters(check);
  return values;
}

export async function runNotebookCli(argv: string[]): Promise<number> {
  const { args, allowErrors } = takeAllowErrors(argv);
  const a = parseRunArgs(args);
  if ("help" in a) return printUsage(USAGE);
  const nb = readNotebook(a.notebook);
  // Type-check every parameter before anything runs.
  injectParameters(nb, a.parameters, a.notebook);
  // Then check every path parameter, still before the kernel starts.
  const injected = injectParameters(nb, await checkedPathParameters(nb, a), a.notebook);
  // A re-run replaces outputs; drop the previous run's timing metadata too, so committed runbooks diff cleanly.
  for (const cell of injected.cells) delete (cell.metadata as { execution?: unknown } | undefined)?.execution;
  if (!fs.existsSync(LAUNCHER)) throw new CassperfError(`the kernel launcher ${LAUNCHER} does not exist.`, { hint: "npm run build" });
  const python = findPython();
  const { out, backup } = outputPlan(a);
  if (backup) {
    fs.copyFileSync(out, backup);
    console.error(`cassperf run: the notebook is rewritten with the new outputs; its previous version is in ${backup}`);
  }
  fs.writeFileSync(out, JSON.stringify(injected, null, 1) + "\n");
  const jupyterPath = temporaryKernelPath();
  try {
    const r = await runPython(
      python,
      [path.join(PACKAGE_ROOT, "kernel", "run_notebook.py"), out, KERNEL_NAME, String(a.timeout), path.dirname(path.resolve(a.notebook))],
      {
        ...process.env,
        TZ: "UTC",
        JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
        // run_notebook.py removes it when this process dies without doing so (SIGKILL).
        CASSPERF_RUN_TEMP: jupyterPath,
        ...(allowErrors ? { CASSPERF_ALLOW_ERRORS: "1" } : {}),
      },
    );
    if (r.stoppedBy) {
      console.error(`cassperf run: stopped by ${r.stoppedBy}; ${out} holds the cells that had run`);
      return 128 + (os.constants.signals[r.stoppedBy] ?? 15);
    }
    if (r.status === 0) console.error(`cassperf run: ${a.notebook} ran; outputs in ${out}`);
    else console.error(`cassperf run: ${a.notebook} failed; the notebook with the error${allowErrors ? "s" : ""} is in ${out}`);
    return r.status === 0 ? 0 : 1;
  } finally {
    fs.rmSync(jupyterPath, { recursive: true, force: true });
  }
}
