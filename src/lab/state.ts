/**
 * The lab's record of itself: lab.json in the lab folder (layout + the PID of each node it started)
 * and a cassandra.pid per node. stop/status trust a PID only when that process is still alive AND
 * its command line carries this node's `-Dcassperf.lab.node=<dir>` marker, so a stale PID file (the
 * machine rebooted, the PID was reused) never leads to killing someone else's process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";
import type { LabNode } from "./config";

/** lab.json. */
export interface LabState {
  format: "cassperf-lab";
  version: 1;
  cassandraHome: string;
  /** The Cassandra release the lab runs ("5.0.9"); absent in labs written before 5.0 support: 2.1.0. */
  cassandraVersion?: string;
  heap: string;
  firstAddress: string;
  jmxPort: number;
  startedAt?: string;
  nodes: (LabNode & { pid?: number })[];
}

const STATE_FILE = "lab.json";

/** Read lab.json of a lab folder; undefined when there is none. */
export function readState(dir: string): LabState | undefined {
  const file = path.join(dir, STATE_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as LabState;
    if (s.format !== "cassperf-lab" || !Array.isArray(s.nodes)) throw new Error(`format ${JSON.stringify(s.format)}`);
    return s;
  } catch (e) {
    throw new CassperfError(`lab: ${file} is not a cassperf lab state file (${(e as Error).message}).`, {
      hint: "remove it, or pass the lab's folder with --dir",
    });
  }
}

/** Write lab.json atomically and each node's cassandra.pid. */
export function writeState(dir: string, state: LabState): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  fs.writeFileSync(file + ".tmp", JSON.stringify(state, null, 2) + "\n");
  fs.renameSync(file + ".tmp", file);
  for (const n of state.nodes) {
    const pidFile = path.join(n.dir, "cassandra.pid");
    if (n.pid) {
      fs.mkdirSync(n.dir, { recursive: true });
      fs.writeFileSync(pidFile, `${n.pid}\n`);
    } else fs.rmSync(pidFile, { force: true });
  }
}

/** The PID a node's cassandra.pid holds (the state file may be older). */
export function pidOf(node: LabNode & { pid?: number }): number | undefined {
  try {
    const n = Number(fs.readFileSync(path.join(node.dir, "cassandra.pid"), "utf8").trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    /* no pid file */
  }
  return node.pid;
}

/** True when `pid` is alive and is this node's Cassandra (its command line carries the node's marker). */
export function isOurProcess(pid: number | undefined, node: LabNode): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false; // no such process (ESRCH) or someone else's (EPERM): never ours
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!fs.existsSync("/proc/self/cmdline")) return true; // no /proc (macOS): alive is the best we know
  try {
    const args = fs.readFileSync(cmdline, "utf8").split("\0");
    return args.includes(`-Dcassperf.lab.node=${node.dir}`);
  } catch {
    return false;
  }
}

/**
 * True once a process has fully exited (no such PID, or a zombie waiting to be reaped). A dying JVM
 * loses its command line before it closes its sockets, so "not ours any more" is not yet "gone".
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return /\)\s+[ZX]\s/.test(stat);
  } catch {
    return !!fs.existsSync("/proc/self/stat");
  }
}

/** Resident memory of a process in MiB (Linux /proc), undefined elsewhere. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** The last `n` lines of a file ("" when missing). */
export function tail(file: string, n = 20): string {
  try {
    const st = fs.statSync(file);
    const len = Math.min(st.size, 64 * 1024);
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, st.size - len);
    fs.closeSync(fd);
    return buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-n)
      .join("\n");
  } catch {
    return "";
  }
}
