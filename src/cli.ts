#!/usr/bin/env node
/**
 * The `cassperf` command. Each subcommand lives in its own module, loaded only when used, so the
 * REPL's start path stays light.
 *
 *   cassperf [repl] [--open path | --connect host[,host]]   the Ink REPL (default: the bundled dataset)
 *   cassperf report [path] [--html F] [--md F] [--json] ...   the postmortem: terminal text, offline HTML, Markdown or JSON
 *   cassperf compare <before> <after> [--html F] ...          two recordings, bundles or bench runs side by side
 *   cassperf lab start|stop|status|nodetool|stress ...       a real local Cassandra cluster
 *   cassperf kernel install|uninstall [--user|--prefix P]    the Jupyter kernel
 *   cassperf run <notebook> [-p name value]... [--out file]  execute a runbook with parameters
 */
import { isCassperfError } from "./errors";

const USAGE = `usage: cassperf [repl] [--open path | --connect host[,host]]
       cassperf report [path] [--html FILE] [--md FILE] [--json] [--only a,b] [--from T --to T] [--fail-on warning|critical] [--force]
       cassperf compare <before> <after> [the same options]
       cassperf lab start|stop|status|nodetool|stress ...
       cassperf kernel install|uninstall [--user | --prefix P]
       cassperf run <notebook.ipynb> [-p name value]... [--out out.ipynb]`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "report":
      return (require("./report-cli") as typeof import("./report-cli")).runReportCli(rest);
    case "compare":
      return (require("./report-cli") as typeof import("./report-cli")).runCompareCli(rest);
    case "lab":
      return (require("./lab/cli") as typeof import("./lab/cli")).runLabCli(rest);
    case "kernel":
      return (require("./kernel/cli") as typeof import("./kernel/cli")).runKernelCli(rest);
    case "run":
      return (require("./kernel/run") as typeof import("./kernel/run")).runNotebookCli(rest);
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return 0;
    case "repl":
      return (require("./repl/cli") as typeof import("./repl/cli")).runReplCli(rest);
    default:
      if (cmd !== undefined && !cmd.startsWith("-")) {
        console.error(`cassperf: unknown command "${cmd}"\n${USAGE}`);
        return 2;
      }
      return (require("./repl/cli") as typeof import("./repl/cli")).runReplCli(argv);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (isCassperfError(e)) {
      console.error(`cassperf: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
      process.exitCode = 1;
    } else {
      console.error(e);
      process.exitCode = 1;
    }
  },
);
