/**
 * `cassperf [repl] [--open path | --connect host[,host]] [--dc name]`: the Ink REPL.
 *
 * Start-up order is chosen for a fast prompt: open the source (recorded sources only list files),
 * load Ink (ESM, `import()`), draw the prompt, and only then build the TypeScript program and run
 * the prelude (ReplEngine.warm). danfojs and vega are never loaded here: a report loads danfojs
 * only when a frame is touched as a DataFrame, vega only for `:save`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as React from "react";
import { CassperfError } from "../errors";
import { preludeSource } from "../kernel/prelude";
import { createReplApp } from "./app";
import { ReplEngine } from "./engine";
import { History, historyPath } from "./history";

/** The dataset shipped with the package, opened when no --open/--connect is given. */
export function bundledDatasetPath(): string {
  return path.resolve(__dirname, "..", "..", "datasets", "lab-3node");
}

export interface ReplArgs {
  open?: string;
  connect?: string[];
  dc?: string;
}

/** Parse the REPL's arguments; a CassperfError names the bad one. */
export function parseReplArgs(args: string[]): ReplArgs {
  const out: ReplArgs = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new CassperfError(`${a} needs a value.`, { hint: a === "--open" ? "cassperf --open path/to/dataset" : "cassperf --connect 10.0.0.1,10.0.0.2" });
      return v;
    };
    if (a === "--open") out.open = value();
    else if (a === "--connect") out.connect = value().split(",").map((h) => h.trim()).filter(Boolean);
    else if (a === "--dc") out.dc = value();
    else throw new CassperfError(`unknown option ${a}.`, { hint: "cassperf [repl] [--open path | --connect host[,host]] [--dc datacenter]" });
  }
  if (out.open && out.connect) throw new CassperfError("--open and --connect cannot both be given.", { hint: "pick one source; open the other later in the REPL with open(path) or connect({...})" });
  return out;
}

export async function runReplCli(args: string[]): Promise<number> {
  const opts = parseReplArgs(args);
  if (!process.stdin.isTTY) {
    throw new CassperfError("the REPL needs a terminal (stdin is not a TTY).", { hint: "run `cassperf report [path]` for text output, or use a notebook: `cassperf run notebook.ipynb`" });
  }
  // Start loading Ink (ESM: its files are read asynchronously) while the API loads and the source opens.
  const inkLoading = import("ink");
  inkLoading.catch(() => {});
  const api = require("../index") as typeof import("../index");
  const banner: string[] = [];
  if (opts.connect) {
    process.stderr.write(`connecting to ${opts.connect.join(", ")}…\n`);
    await api.connect({ contactPoints: opts.connect, localDataCenter: opts.dc ?? "datacenter1" });
  } else {
    const target = opts.open ?? bundledDatasetPath();
    if (opts.open || fs.existsSync(target)) await api.open(target);
    else banner.push(`The bundled dataset (${target}) is not there, so no source is open: use open("path") or connect({ contactPoints: [...] }), or start with --open path.`);
  }
  const describeSource = () => {
    try {
      return api.current().describe();
    } catch (e) {
      return (e as Error).message;
    }
  };
  banner.unshift(`cassperf REPL — ${describeSource()}`, "TypeScript with every helper in scope; try  await gcStats()  or  await inventory()  ·  :help  ·  Ctrl-D exits");

  const engine = new ReplEngine({ prelude: preludeSource() });
  const history = new History(historyPath());
  const ink = await inkLoading;
  const ReplApp = createReplApp(ink);
  const instance = ink.render(React.createElement(ReplApp, { engine, history, describeSource, banner, color: process.stdout.isTTY === true }), { exitOnCtrlC: false });
  await instance.waitUntilExit();
  engine.close();
  // A live driver connection or TypeScript's watchers may hold the loop open: leave anyway.
  setTimeout(() => process.exit(process.exitCode ?? 0), 300).unref();
  return 0;
}
