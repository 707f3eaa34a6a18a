/**
 * `cassperf kernel install [--user | --prefix P] [--name N] [--display-name D]` and
 * `cassperf kernel uninstall [--user | --prefix P] [--name N]`: the Jupyter kernelspec, written
 * without IPython or the `jupyter` command (see kernelspec.ts). The default target is --user.
 */
import { EXIT_FAILED, EXIT_OK, parseCommand, printUsage, UsageError } from "../cli-args";
import { installKernel, KERNEL_NAME, uninstallKernel, type InstallTarget } from "./kernelspec";

const USAGE = `usage: cassperf kernel install [--user | --prefix P] [--name N] [--display-name D]
       cassperf kernel uninstall [--user | --prefix P] [--name N]
Then: jupyter lab   (or jupyter notebook) and pick "cassperf (TypeScript)".
With --prefix P, tell Jupyter where to look: JUPYTER_PATH=P/share/jupyter jupyter lab`;

interface KernelArgs {
  target: InstallTarget;
  name: string;
  displayName?: string;
}

const OPTIONS = {
  user: { type: "boolean" },
  prefix: { type: "string" },
  name: { type: "string" },
  "display-name": { type: "string" },
} as const;

/** Parse the flags after install/uninstall; `{ help: true }` for -h/--help. */
export function parseKernelArgs(args: string[], sub = "install"): KernelArgs | { help: true } {
  const command = `cassperf kernel ${sub}`;
  const p = parseCommand({ command, usage: USAGE, options: OPTIONS }, args);
  if (p.help) return p;
  const { user, prefix, name, "display-name": displayName } = p.values;
  if (user && prefix !== undefined) throw new UsageError(command, "--user and --prefix exclude each other: pick one", USAGE);
  if (sub === "uninstall" && displayName !== undefined) throw new UsageError(command, "--display-name is for install only", USAGE);
  const target: InstallTarget = prefix !== undefined ? { prefix } : { user: true };
  return { target, name: name ?? KERNEL_NAME, ...(displayName ? { displayName } : {}) };
}

export async function runKernelCli(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "install") {
    const a = parseKernelArgs(rest, sub);
    if ("help" in a) return printUsage(USAGE);
    const dir = installKernel(a.target, a.name, a.displayName ? { displayName: a.displayName } : {});
    console.log(`Installed the cassperf kernel "${a.name}" in ${dir}`);
    if ("prefix" in a.target) console.log(`Start Jupyter with JUPYTER_PATH=${a.target.prefix}/share/jupyter so it finds the kernel.`);
    return EXIT_OK;
  }
  if (sub === "uninstall") {
    const a = parseKernelArgs(rest, sub);
    if ("help" in a) return printUsage(USAGE);
    const dir = uninstallKernel(a.target, a.name);
    if (!dir) {
      console.error(`cassperf: no kernel "${a.name}" is installed there.`);
      return EXIT_FAILED;
    }
    console.log(`Removed ${dir}`);
    return EXIT_OK;
  }
  if (sub === "-h" || sub === "--help" || sub === "help") return printUsage(USAGE);
  if (sub === undefined) throw new UsageError("cassperf kernel", "which kernel command? install or uninstall", USAGE);
  throw new UsageError("cassperf kernel", `unknown subcommand ${JSON.stringify(sub)}`, USAGE);
}
