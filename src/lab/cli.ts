/**
 * `cassperf lab ...`: start, stop, status, nodetool and cassandra-stress for the local lab cluster.
 *
 *   cassperf lab start [--version 5.0] [--nodes 3] [--heap 384m] [--dir .cassperf/lab] [--first-address 127.0.0.1] [--jmx-port 7199] [--clean] [--sequential] [--timeout 240]
 *   cassperf lab stop [--dir D]
 *   cassperf lab status [--dir D]
 *   cassperf lab nodetool <node> <args...>     node: node2, 2 or 127.0.0.2
 *   cassperf lab stress <args...>              the bundled cassandra-stress; -node defaults to the lab's nodes
 */
import { spawnSync } from "node:child_process";
import { type CommandSpec, numberOption, type OptionSpec, parseCommand, printUsage, splitAtPassThrough, UsageError } from "../cli-args";
import { renderTable } from "../present/terminal";
import { nodetool, start, status, stop, stressCommand } from "./lab";

const USAGE = `usage: cassperf lab start [--version 5.0|5.0.9|2.1.0] [--nodes 3] [--heap 512m] [--dir .cassperf/lab] [--first-address 127.0.0.1] [--jmx-port 7199] [--clean] [--sequential] [--timeout 240]
       cassperf lab stop [--dir D]
       cassperf lab status [--dir D]
       cassperf lab nodetool [--dir D] <node> <args...>
       cassperf lab stress [--dir D] <args...>`;

/** The options of each subcommand (parseArgs form); `--dir` everywhere. */
const DIR = { dir: { type: "string" } } as const;
const START_OPTIONS = {
  ...DIR,
  version: { type: "string" },
  nodes: { type: "string" },
  heap: { type: "string" },
  "first-address": { type: "string" },
  "jmx-port": { type: "string" },
  timeout: { type: "string" },
  clean: { type: "boolean" },
  sequential: { type: "boolean" },
} as const;

const spec = <T extends Record<string, OptionSpec>>(sub: string, options: T, positionals?: CommandSpec<T>["positionals"]): CommandSpec<T> => ({
  command: `cassperf lab ${sub}`,
  usage: USAGE,
  options,
  ...(positionals ? { positionals } : {}),
});

/** `lab nodetool` / `lab stress`: the lab's own flags first, everything after goes to the tool unchanged. */
function passThrough(sub: string, args: string[]): { help: true } | { help: false; dir?: string; rest: string[] } {
  const { own, rest } = splitAtPassThrough(args, DIR);
  const p = parseCommand(spec(sub, DIR), own);
  return p.help ? p : { help: false, dir: p.values.dir, rest };
}

export async function runLabCli(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case "start": {
      const s = spec("start", START_OPTIONS);
      const p = parseCommand(s, rest);
      if (p.help) return printUsage(USAGE);
      const flags = p.values;
      const t0 = Date.now();
      const lab = await start({
        connect: false,
        version: flags.version,
        nodes: numberOption(s, "nodes", flags.nodes),
        heap: flags.heap,
        dir: flags.dir,
        firstAddress: flags["first-address"],
        jmxPort: numberOption(s, "jmx-port", flags["jmx-port"]),
        timeoutSeconds: numberOption(s, "timeout", flags.timeout),
        clean: flags.clean === true,
        parallel: flags.sequential !== true,
        log: (l) => console.error(l),
      });
      console.log(`lab up: Cassandra ${lab.version} on ${lab.contactPoints.join(",")} in ${lab.dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(
        `connect: await connect({ contactPoints: ${JSON.stringify(lab.contactPoints)}, localDataCenter: "datacenter1" })  or  await lab.connect(${JSON.stringify(lab.dir)})`,
      );
      return 0;
    }
    case "stop": {
      const p = parseCommand(spec("stop", DIR), rest);
      if (p.help) return printUsage(USAGE);
      for (const line of await stop({ dir: p.values.dir })) console.log(line);
      return 0;
    }
    case "status": {
      const p = parseCommand(spec("status", DIR), rest);
      if (p.help) return printUsage(USAGE);
      const s = await status({ dir: p.values.dir });
      console.log(`lab ${s.dir} (Cassandra ${s.version})`);
      const rows = s.nodes.map((n) => ({
        node: n.name,
        address: n.address,
        jmx: n.jmxPort,
        pid: n.pid ?? "-",
        process: n.process,
        cql: n.cql ? "open" : "closed",
        ring: n.ring ?? "?",
        "rss MiB": n.rssMiB ?? "-",
      }));
      console.log(renderTable(rows, Object.keys(rows[0] ?? {}), 100).join("\n"));
      if (s.ringText) console.log(`\nnodetool status (ring view):\n${s.ringText.trimEnd()}`);
      else console.log("\nno running node answered nodetool status");
      return s.nodes.every((n) => n.process === "up" && n.ring === "UN") ? 0 : 3;
    }
    case "nodetool": {
      const p = passThrough("nodetool", rest);
      if (p.help) return printUsage(USAGE);
      const [node, ...ntArgs] = p.rest;
      if (!node || ntArgs.length === 0)
        throw new UsageError("cassperf lab nodetool", "expected a node and a nodetool command, e.g. `cassperf lab nodetool node1 status`", USAGE);
      process.stdout.write(await nodetool(node, ntArgs, { dir: p.dir }));
      return 0;
    }
    case "stress": {
      const p = passThrough("stress", rest);
      if (p.help) return printUsage(USAGE);
      if (p.rest.length === 0)
        throw new UsageError("cassperf lab stress", "expected cassandra-stress arguments, e.g. `cassperf lab stress write n=10000 -rate threads=16`", USAGE);
      const { java, argv } = stressCommand(p.rest, { dir: p.dir });
      const r = spawnSync(java, argv, { stdio: "inherit" });
      return r.status ?? 1;
    }
    case "-h":
    case "--help":
    case "help":
      return printUsage(USAGE);
    case undefined:
      throw new UsageError("cassperf lab", "which lab command? start, stop, status, nodetool or stress", USAGE);
    default:
      throw new UsageError("cassperf lab", `unknown command ${JSON.stringify(cmd)}`, USAGE);
  }
}
