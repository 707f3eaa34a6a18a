/**
 * The kernelspec: kernel/kernel.json (the template shipped with the package) filled in with this
 * machine's node and launcher paths, and the Jupyter folders it is installed into. No IPython, no
 * `jupyter kernelspec` needed: a kernelspec is just `<data dir>/kernels/<name>/kernel.json`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CassperfError } from "../errors";

/** The default kernel name (what notebooks' metadata.kernelspec.name says). */
export const KERNEL_NAME = "cassperf";

/** The package root (holds kernel/, dist/, notebooks/, datasets/). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The dataset the REPL and `cassperf report` (npm run demo) open by default: the 3-node Cassandra
 * 5.0 recording, because 5.0 is what people run (G1 logs, 5.0 trace wording, 4.0+ nodetool).
 * datasets/lab-3node (2.1.0, with a cassandra-stress output) ships beside it and the notebooks use it.
 */
export const BUNDLED_DATASET = path.join(PACKAGE_ROOT, "datasets", "lab-3node-5.0");

/** Where the kernel process starts: dist/kernel/launcher.js. */
export const LAUNCHER = path.join(PACKAGE_ROOT, "dist", "kernel", "launcher.js");

/** Where to install: the user's Jupyter data folder, or `<prefix>/share/jupyter`. */
export type InstallTarget = { user: true } | { prefix: string };

/** Jupyter's per-user data folder (what `jupyter --data-dir` prints), without asking Python. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/** The kernels/ folder for a target. */
export function kernelsDir(target: InstallTarget): string {
  return "prefix" in target ? path.join(path.resolve(target.prefix), "share", "jupyter", "kernels") : path.join(userDataDir(), "kernels");
}

/**
 * Check a kernel name the way jupyter_client does (letters, digits, '.', '_', '-'), and refuse
 * names made only of dots: `.` and `..` are the kernels folder itself and its parent, not a kernel.
 */
export function checkKernelName(name: string): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]+$/.test(name) || /^\.+$/.test(name)) {
    throw new CassperfError(`--name ${JSON.stringify(name)}: a kernel name is a folder name of letters, digits, ".", "_" and "-" (not only dots).`, {
      hint: "e.g. --name cassperf-dev",
    });
  }
  return name;
}

/** What kernel.json's metadata says so that uninstall knows the kernelspec is ours. */
export const INSTALL_MARKER = { installed_by: "cassperf kernel install" };

/** The files `cassperf kernel install` writes into a kernelspec folder (uninstall removes only these). */
export const INSTALLED_FILES = ["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"];

/**
 * Whether a kernelspec folder holds a kernel.json written by cassperf: the install marker, or (from
 * installs before the marker) an argv that starts this package's dist/kernel/launcher.js.
 */
export function isCassperfKernelspec(dir: string): boolean {
  let spec: { argv?: unknown; metadata?: { cassperf?: { installed_by?: unknown } } };
  try {
    spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8"));
  } catch {
    return false;
  }
  if (spec?.metadata?.cassperf?.installed_by === INSTALL_MARKER.installed_by) return true;
  return Array.isArray(spec?.argv) && typeof spec.argv[1] === "string" && /[\\/]dist[\\/]kernel[\\/]launcher\.js$/.test(spec.argv[1]);
}

/** The kernelspec folder for a name: always a direct child of the kernels folder, never a link. */
function kernelDir(target: InstallTarget, name: string): string {
  checkKernelName(name);
  const kernels = kernelsDir(target);
  const dir = path.join(kernels, name);
  if (path.dirname(dir) !== kernels) throw new CassperfError(`--name ${JSON.stringify(name)} does not name a folder inside ${kernels}.`);
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    throw new CassperfError(`${dir} is not a kernelspec folder (${st.isSymbolicLink() ? "a symbolic link" : "a file"}); cassperf leaves it alone.`);
  return dir;
}

/** kernel.json's content for this installation (absolute node and launcher paths). */
export function kernelJson(options: { displayName?: string } = {}): Record<string, unknown> {
  const template = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "kernel", "kernel.json"), "utf8")) as Record<string, unknown> & { argv: string[] };
  const argv = template.argv.map((a) => (a === "{node}" ? process.execPath : a === "{launcher}" ? LAUNCHER : a));
  const metadata = { ...(template.metadata as Record<string, unknown>), cassperf: INSTALL_MARKER };
  return { ...template, argv, metadata, ...(options.displayName ? { display_name: options.displayName } : {}) };
}

/** Write the kernelspec; returns its folder. Refuses to replace another kernel's kernelspec. */
export function installKernel(target: InstallTarget, name: string = KERNEL_NAME, options: { displayName?: string } = {}): string {
  const dir = kernelDir(target, name);
  if (!fs.existsSync(LAUNCHER)) {
    throw new CassperfError(`the kernel launcher ${LAUNCHER} does not exist.`, { hint: "build the package first: npm run build" });
  }
  if (fs.existsSync(path.join(dir, "kernel.json")) && !isCassperfKernelspec(dir)) {
    throw new CassperfError(`${dir} holds another kernel's kernelspec (its kernel.json was not written by cassperf); refusing to replace it.`, {
      hint: "pick another --name",
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelJson(options), null, 2) + "\n");
  for (const logo of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) {
    const src = path.join(PACKAGE_ROOT, "kernel", logo);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, logo));
  }
  return dir;
}

/**
 * Remove the kernelspec; returns its folder, or undefined when it was not installed there. Only
 * a kernelspec cassperf wrote is touched, and only the files install writes: anything else the
 * user put in the folder stays (and so does the folder).
 */
export function uninstallKernel(target: InstallTarget, name: string = KERNEL_NAME): string | undefined {
  const dir = kernelDir(target, name);
  if (!fs.existsSync(path.join(dir, "kernel.json"))) return undefined;
  if (!isCassperfKernelspec(dir)) {
    throw new CassperfError(`${dir} is not a cassperf kernelspec (its kernel.json was not written by cassperf kernel install); leaving it alone.`, {
      hint: "remove other kernels with: jupyter kernelspec uninstall NAME",
    });
  }
  for (const f of INSTALLED_FILES) fs.rmSync(path.join(dir, f), { force: true });
  try {
    fs.rmdirSync(dir);
  } catch {
    /* the user's own files are still there: keep the folder */
  }
  return dir;
}
