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
import { EXIT_CODES_HELP, exitCodeOf, isUsageError, printUsage, refusal, UsageError } from "./cli-args";
import { isCassperfError } from "./errors";

const USAGE = `usage: cassperf [repl] [--open path | --connect host[,host]]
       cassperf report [path] [--html FILE] [--md FILE] [--json] [--only a,b] [--from T --to T] [--fail-on warning|critical] [--force]
       cassperf compare <before> <after> [the same options]
       cassperf lab start|stop|status|nodetool|stress ...
       cassperf kernel install|uninstall [--user | --prefix P]
       cassperf run <notebook.ipynb> [-p name value]... [--out out.ipynb]
       cassperf <command> --help   a command's own options
${EXIT_CODES_HELP}`;

const asksHelp = (args: string[]) => args.includes("--help") || args.includes("-h");

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "report":
      // --help is answered before anything is opened (report-cli's usage; loading it opens nothing).
      if (asksHelp(rest)) return printUsage((require("./report-cli") as typeof import("./report-cli")).REPORT_USAGE);
      return (require("./report-cli") as typeof import("./report-cli")).runReportCli(rest);
    case "compare":
      if (asksHelp(rest)) return printUsage((require("./report-cli") as typeof import("./report-cli")).COMPARE_USAGE);
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
      return printUsage(USAGE);
    case "repl":
      return (require("./repl/cli") as typeof import("./repl/cli")).runReplCli(rest);
    default:
      if (cmd !== undefined && !cmd.startsWith("-")) {
        throw new UsageError("cassperf", `unknown command ${JSON.stringify(cmd)}`, USAGE);
      }
      return (require("./repl/cli") as typeof import("./repl/cli")).runReplCli(argv);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // One rule for every command (src/cli-args.ts EXIT_CODES_HELP): usage 2, anything else that ends a command 1.
    if (isUsageError(e)) console.error(refusal(e));
    else if (isCassperfError(e)) console.error(`cassperf: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}`);
    else console.error(e);
    process.exitCode = exitCodeOf(e);
  },
);
