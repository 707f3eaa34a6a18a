/**
 * `cassperf kernel install [--user | --prefix P] [--name N] [--display-name D]` and
 * `cassperf kernel uninstall [--user | --prefix P] [--name N]`: the Jupyter kernelspec, written
 * without IPython or the `jupyter` command (see kernelspec.ts). The default target is --user.
 */
import { CassperfError } from "../errors";
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

/** Parse the flags after install/uninstall. */
export function parseKernelArgs(args: string[]): KernelArgs {
  let target: InstallTarget | undefined;
  let name = KERNEL_NAME;
  let displayName: string | undefined;
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new CassperfError(`${flag} needs a value.`, { hint: USAGE });
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user") {
      if (target && "prefix" in target) throw new CassperfError("--user and --prefix exclude each other: pick one.");
      target = { user: true };
    } else if (a === "--prefix") {
      if (target && "user" in target) throw new CassperfError("--user and --prefix exclude each other: pick one.");
      target = { prefix: value(i++, a) };
    } else if (a === "--name") name = value(i++, a);
    else if (a === "--display-name") displayName = value(i++, a);
    else throw new CassperfError(`unknown option "${a}" for cassperf kernel.`, { hint: USAGE });
  }
  return { target: target ?? { user: true }, name, ...(displayName ? { displayName } : {}) };
}

export async function runKernelCli(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "install") {
    const a = parseKernelArgs(rest);
    const dir = installKernel(a.target, a.name, a.displayName ? { displayName: a.displayName } : {});
    console.log(`Installed the cassperf kernel "${a.name}" in ${dir}`);
    if ("prefix" in a.target) console.log(`Start Jupyter with JUPYTER_PATH=${a.target.prefix}/share/jupyter so it finds the kernel.`);
    return 0;
  }
  if (sub === "uninstall") {
    const a = parseKernelArgs(rest);
    const dir = uninstallKernel(a.target, a.name);
    if (!dir) {
      console.error(`cassperf: no kernel "${a.name}" is installed there.`);
      return 1;
    }
    console.log(`Removed ${dir}`);
    return 0;
  }
  if (sub === undefined || sub === "-h" || sub === "--help" || sub === "help") {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  console.error(`cassperf kernel: unknown subcommand "${sub}"\n${USAGE}`);
  return 2;
}
