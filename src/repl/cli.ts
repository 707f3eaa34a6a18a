/**
 * `cassperf [repl] [--open path | --connect host[,host]] [--dc name]`: the Ink REPL.
 *
 * Start-up order is chosen for a fast prompt: load Ink (ESM, `import()`) and draw the prompt; then
 * load the API and open the source (cassandra-driver and every helper module come with it), then
 * build the TypeScript program and run the prelude (ReplEngine.warm). Keys typed meanwhile wait.
 * danfojs and vega are never loaded here: a report loads danfojs only when a frame is touched as a
 * DataFrame, vega only for `:save` / `:image`.
 */
import * as fs from "node:fs";
import * as React from "react";
import { parseCommand, printUsage } from "../cli-args";
import { colorEnabled } from "../present/color";
import { CassperfError } from "../errors";
import { BUNDLED_DATASET } from "../kernel/kernelspec";
import { preludeSource } from "../kernel/prelude";
import { createReplApp } from "./app";
import { ReplEngine } from "./engine";
import { History, historyPath } from "./history";

export interface ReplArgs {
  open?: string;
  connect?: string[];
  dc?: string;
  /** -h/--help: print the usage, start nothing. */
  help?: true;
}

export const REPL_USAGE = `usage: cassperf [repl] [--open path | --connect host[,host]] [--dc datacenter]
  --open path       a dataset folder, a diagnostic bundle or one file (default: the bundled dataset)
  --connect hosts   a live cluster's contact points, comma-separated
  --dc name         the local datacenter for --connect (default datacenter1)`;

const REPL_OPTIONS = { open: { type: "string" }, connect: { type: "string" }, dc: { type: "string" } } as const;

/** Parse the REPL's arguments; a UsageError (a CassperfError) names the bad one. */
export function parseReplArgs(args: string[]): ReplArgs {
  const p = parseCommand({ command: "cassperf", usage: REPL_USAGE, options: REPL_OPTIONS }, args);
  if (p.help) return { help: true };
  const { open, connect, dc } = p.values;
  const out: ReplArgs = {};
  if (open !== undefined) out.open = open;
  if (connect !== undefined)
    out.connect = connect
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
  if (dc !== undefined) out.dc = dc;
  if (out.open && out.connect)
    throw new CassperfError("--open and --connect cannot both be given.", {
      hint: "pick one source; open the other later in the REPL with open(path) or connect({...})",
    });
  return out;
}

/**
 * Load Ink so that it draws interactively. Ink decides once, when its `is-in-ci` module loads,
 * whether it runs under CI (`CI` or `CONTINUOUS_INTEGRATION` set to anything but 0/false); in CI
 * mode it draws nothing but `<Static>` lines until exit, so the prompt never shows. The REPL has
 * already checked that stdin is a terminal, so a person (or tmux) is typing: hide those variables
 * while Ink loads, then put them back for everything the session starts (nodetool, the lab).
 */
async function importInkInteractive() {
  const names = ["CI", "CONTINUOUS_INTEGRATION"] as const;
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    return await import("ink");
  } finally {
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

export async function runReplCli(args: string[]): Promise<number> {
  const opts = parseReplArgs(args);
  if (opts.help) return printUsage(REPL_USAGE);
  if (!process.stdin.isTTY) {
    throw new CassperfError("the REPL needs a terminal (stdin is not a TTY).", {
      hint: "run `cassperf report [path]` for text output, or use a notebook: `cassperf run notebook.ipynb`",
    });
  }
  const inkLoading = importInkInteractive();
  // The prompt comes first; the API (cassandra-driver and all helpers) loads and the source opens
  // right after it shows, then TypeScript warms up.
  let api: typeof import("../index") | undefined;
  const describeSource = () => {
    if (!api) return "no source yet (still opening)";
    try {
      return api.current().describe();
    } catch (e) {
      return (e as Error).message;
    }
  };
  const target = opts.open ?? BUNDLED_DATASET;
  const banner = [
    "cassperf REPL — TypeScript with every helper in scope · :help · Ctrl-D exits",
    opts.connect ? `connecting to ${opts.connect.join(", ")}…` : `opening ${target}…`,
  ];
  const startup = async (): Promise<string[]> => {
    api = require("../index") as typeof import("../index");
    if (opts.connect) await api.connect({ contactPoints: opts.connect, localDataCenter: opts.dc ?? "datacenter1" });
    else if (opts.open || fs.existsSync(target)) await api.open(target);
    else
      return [
        `The bundled dataset (${target}) is not there, so no source is open: use open("path") or connect({ contactPoints: [...] }), or start with --open path.`,
      ];
    return [`source: ${describeSource()}`, "try  await gcStats()  or  await inventory()"];
  };
  const engine = new ReplEngine({ prelude: preludeSource });
  const history = new History(historyPath());
  const ink = await inkLoading;
  const ReplApp = createReplApp(ink);
  // An error thrown by a user's timer callback or an unawaited promise is printed, not fatal (node's REPL does the same).
  let printLate: ((label: string, e: unknown) => void) | undefined;
  const onUncaught = (e: unknown) => (printLate ? printLate("uncaught exception", e) : console.error(e));
  const onUnhandled = (e: unknown) => (printLate ? printLate("unhandled promise rejection", e) : console.error(e));
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  const registerLateErrors = (p: (label: string, e: unknown) => void) => void (printLate = p);
  const instance = ink.render(
    React.createElement(ReplApp, { engine, history, describeSource, banner, startup, registerLateErrors, color: colorEnabled(process.stdout) }),
    { exitOnCtrlC: false },
  );
  await instance.waitUntilExit();
  process.removeListener("uncaughtException", onUncaught);
  process.removeListener("unhandledRejection", onUnhandled);
  engine.close();
  // A live driver connection or TypeScript's watchers may hold the loop open: leave anyway.
  setTimeout(() => process.exit(process.exitCode ?? 0), 300).unref();
  return 0;
}
