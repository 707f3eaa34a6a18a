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
import { CassperfError } from "../errors";
import { renderTable } from "../present/terminal";
import { nodetool, start, status, stop, stressCommand } from "./lab";

const USAGE = `usage: cassperf lab start [--version 5.0|5.0.9|2.1.0] [--nodes 3] [--heap 512m] [--dir .cassperf/lab] [--first-address 127.0.0.1] [--jmx-port 7199] [--clean] [--sequential] [--timeout 240]
       cassperf lab stop [--dir D]
       cassperf lab status [--dir D]
       cassperf lab nodetool [--dir D] <node> <args...>
       cassperf lab stress [--dir D] <args...>`;

/** Flags `--name value` / `--flag` before the first positional argument; the rest stays positional. */
function parseFlags(args: string[], valued: string[], booleans: string[]): { flags: Record<string, string | true>; rest: string[] } {
  const flags: Record<string, string | true> = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) break;
    const [name, inline] = a.slice(2).split("=", 2);
    if (booleans.includes(name)) flags[name] = true;
    else if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new CassperfError(`lab: --${name} needs a value.`, { hint: USAGE });
      flags[name] = v;
    } else throw new CassperfError(`lab: unknown option --${name}.`, { hint: USAGE });
  }
  return { flags, rest: args.slice(i) };
}

function num(flags: Record<string, string | true>, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CassperfError(`lab: --${name} ${JSON.stringify(v)} is not a number.`);
  return n;
}

export async function runLabCli(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case "start": {
      const { flags, rest: extra } = parseFlags(rest, ["version", "nodes", "heap", "dir", "first-address", "jmx-port", "timeout"], ["clean", "sequential"]);
      if (extra.length) throw new CassperfError(`lab start: unexpected argument ${JSON.stringify(extra[0])}.`, { hint: USAGE });
      const t0 = Date.now();
      const lab = await start({
        connect: false,
        version: flags.version as string | undefined,
        nodes: num(flags, "nodes"),
        heap: flags.heap as string | undefined,
        dir: flags.dir as string | undefined,
        firstAddress: flags["first-address"] as string | undefined,
        jmxPort: num(flags, "jmx-port"),
        timeoutSeconds: num(flags, "timeout"),
        clean: flags.clean === true,
        parallel: flags.sequential !== true,
        log: (l) => console.error(l),
      });
      console.log(`lab up: Cassandra ${lab.version} on ${lab.contactPoints.join(",")} in ${lab.dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(`connect: await connect({ contactPoints: ${JSON.stringify(lab.contactPoints)}, localDataCenter: "datacenter1" })  or  await lab.connect(${JSON.stringify(lab.dir)})`);
      return 0;
    }
    case "stop": {
      const { flags } = parseFlags(rest, ["dir"], []);
      for (const line of await stop({ dir: flags.dir as string | undefined })) console.log(line);
      return 0;
    }
    case "status": {
      const { flags } = parseFlags(rest, ["dir"], []);
      const s = await status({ dir: flags.dir as string | undefined });
      console.log(`lab ${s.dir} (Cassandra ${s.version})`);
      const rows = s.nodes.map((n) => ({ node: n.name, address: n.address, jmx: n.jmxPort, pid: n.pid ?? "-", process: n.process, cql: n.cql ? "open" : "closed", ring: n.ring ?? "?", "rss MiB": n.rssMiB ?? "-" }));
      console.log(renderTable(rows, Object.keys(rows[0] ?? {}), 100).join("\n"));
      if (s.ringText) console.log(`\nnodetool status (ring view):\n${s.ringText.trimEnd()}`);
      else console.log("\nno running node answered nodetool status");
      return s.nodes.every((n) => n.process === "up" && n.ring === "UN") ? 0 : 3;
    }
    case "nodetool": {
      const { flags, rest: pos } = parseFlags(rest, ["dir"], []);
      const [node, ...ntArgs] = pos;
      if (!node || ntArgs.length === 0) throw new CassperfError("lab nodetool: expected a node and a nodetool command, e.g. `cassperf lab nodetool node1 status`.", { hint: USAGE });
      process.stdout.write(await nodetool(node, ntArgs, { dir: flags.dir as string | undefined }));
      return 0;
    }
    case "stress": {
      const { flags, rest: stressArgs } = parseFlags(rest, ["dir"], []);
      if (stressArgs.length === 0) throw new CassperfError("lab stress: expected cassandra-stress arguments, e.g. `cassperf lab stress write n=10000 -rate threads=16`.", { hint: USAGE });
      const { java, argv } = stressCommand(stressArgs, { dir: flags.dir as string | undefined });
      const r = spawnSync(java, argv, { stdio: "inherit" });
      return r.status ?? 1;
    }
    case undefined:
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      console.error(`cassperf lab: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
      return 2;
  }
}
