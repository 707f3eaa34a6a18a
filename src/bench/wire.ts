/**
 * The TypeScript end of bench's native protocol v5 wire: java/BenchWire.java (header there: the line
 * protocol and why the JVM times each operation) run on the Apache Cassandra Java driver, resolved from
 * Maven Central (../lab/maven.ts resolveJavaDriver) and compiled once with javac into the driver's cache
 * folder. An OpExecutor (./executor.ts): runner.ts keeps the schedule, the concurrency cap and the
 * recording; this file only turns values into CQL literals, sends them, and maps the wire's
 * System.nanoTime() timings onto performance.now().
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as readline from "node:readline";
import type { ConnectOptions } from "../cluster/live";
import { CassperfError } from "../errors";
import type { OpExecutor, OpTiming } from "./executor";

/** The wire's source file, in the package (java/ beside dist/ and src/). */
export const WIRE_SOURCE = path.resolve(__dirname, "..", "..", "java", "BenchWire.java");
/** The Debian line that installs javac (a JRE has no compiler). */
export const JDK_INSTALL_HINT = "install a JDK: sudo apt-get install -y openjdk-17-jdk-headless (or set JAVA_HOME to a JDK 11+)";
const V4_HINT = 'or run bench with { protocol: "v4" } (the Node.js driver)';

/** What the wire negotiated on start. */
export interface WireHello {
  /** The driver's ProtocolVersion name: "V5", "V4", "DSE_V2". */
  protocol: string;
  driverVersion: string;
  /** The lowest Cassandra release among the nodes the driver saw ("" when unknown). */
  release: string;
  /** How the wire's clock was matched to ours: "same" (CLOCK_MONOTONIC on both sides) or an estimate. */
  clock: string;
  /** The JVM's warm-up before the schedule, e.g. "2000 reads of system.local in 1830 ms" (BenchWire.warmUp). */
  warmup: string;
}

export interface WireOptions {
  connect: ConnectOptions;
  consistency: string;
  timeoutMs?: number;
  connectionsPerHost?: number;
  coordinators?: string[];
  /** Ask the driver for V5 only (it refuses to connect otherwise); false lets it negotiate. */
  requireV5: boolean;
  log?: (line: string) => void;
}

const escapeField = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
const unescapeField = (s: string) => s.replace(/\\(.)/g, (_m, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));

/** `javac`/`java` of $JAVA_HOME when set, else on PATH. */
function jdkTool(name: "java" | "javac"): string {
  const home = process.env.JAVA_HOME;
  if (home && fs.existsSync(path.join(home, "bin", name))) return path.join(home, "bin", name);
  return name;
}

/**
 * Everything the wire needs before it can start: java, javac, the driver from Maven Central, the class
 * compiled. Throws one CassperfError naming what is missing and how to fix it.
 */
export function prepareWire(log?: (l: string) => void): { java: string; classpath: string; driverVersion: string } {
  const java = jdkTool("java");
  const javac = jdkTool("javac");
  for (const [tool, what] of [
    [java, "a Java runtime"],
    [javac, "a JDK's javac (it compiles java/BenchWire.java once)"],
  ] as const) {
    const r = spawnSync(tool, ["-version"], { encoding: "utf8", timeout: 60_000 });
    if (r.error || r.status !== 0)
      throw new CassperfError(
        `bench: native protocol v5 runs through the Java driver and needs ${what}: \`${tool} -version\` ${r.error ? `failed (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` : `exited ${r.status}`}.`,
        { hint: `${JDK_INSTALL_HINT}; ${V4_HINT}` },
      );
  }
  if (!fs.existsSync(WIRE_SOURCE)) throw new CassperfError(`bench: the v5 wire's source ${WIRE_SOURCE} is missing from this installation.`, { hint: V4_HINT });
  const { resolveJavaDriver } = require("../lab/maven") as typeof import("../lab/maven");
  let driver: ReturnType<typeof resolveJavaDriver>;
  try {
    driver = resolveJavaDriver(undefined, { log });
  } catch (e) {
    const err = e as CassperfError;
    throw new CassperfError(`bench: native protocol v5 runs through the Java driver from Maven Central: ${err.message.replace(/^(lab|bench): /, "")}`, {
      hint: `${err.hint ?? "install Maven: sudo apt-get install -y maven"}; ${V4_HINT}`,
      cause: e,
    });
  }
  const source = fs.readFileSync(WIRE_SOURCE);
  const sha = crypto.createHash("sha256").update(source).digest("hex").slice(0, 12);
  const classes = path.join(driver.home, `wire-${sha}`);
  const driverCp = driver.jars.join(path.delimiter);
  if (!fs.existsSync(path.join(classes, "BenchWire.class"))) {
    const tmp = fs.mkdtempSync(path.join(driver.home, ".wire-"));
    try {
      log?.(`bench: compiling ${WIRE_SOURCE} (once per version of the file)`);
      const r = spawnSync(javac, ["-nowarn", "-d", tmp, "-cp", driverCp, WIRE_SOURCE], { encoding: "utf8", timeout: 5 * 60_000 });
      if (r.error || r.status !== 0)
        throw new CassperfError(
          `bench: javac could not compile ${WIRE_SOURCE}: ${(r.error?.message ?? `${r.stderr}${r.stdout}`).trim().split("\n").slice(0, 3).join(" ")}`,
          {
            hint: V4_HINT,
          },
        );
      fs.rmSync(classes, { recursive: true, force: true });
      fs.renameSync(tmp, classes);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { java, classpath: `${driverCp}${path.delimiter}${classes}`, driverVersion: driver.version };
}

/** A value a workload generator made, as the CQL literal the wire parses with the bind marker's codec. */
export function cqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : String(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
  if (v instanceof Date) return String(v.getTime());
  if (Array.isArray(v)) return `[${v.map(cqlLiteral).join(", ")}]`;
  if (v instanceof Set) return `{${[...v].map(cqlLiteral).join(", ")}}`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${cqlLiteral(k)}: ${cqlLiteral(x)}`).join(", ")}}`;
  const types = (require("cassandra-driver") as typeof import("cassandra-driver")).types;
  // Numbers and ids the driver's types print as CQL writes them; addresses, dates and times are quoted strings.
  if (v instanceof types.Long || v instanceof types.Uuid || v instanceof types.Integer || v instanceof types.BigDecimal) return String(v);
  if (v instanceof types.InetAddress || v instanceof types.LocalDate || v instanceof types.LocalTime) return `'${String(v)}'`;
  if (v instanceof types.Tuple) return `(${v.values().map(cqlLiteral).join(", ")})`;
  throw new CassperfError(
    `bench: a value of type ${(v as object).constructor?.name ?? typeof v} cannot be sent over the v5 wire (it takes strings, numbers, bigint, Long, Buffer, Date, Uuid, lists, sets and maps).`,
    { hint: V4_HINT },
  );
}

/** One running wire: a JVM with one CqlSession. */
export class JavaWire implements OpExecutor {
  private readonly pending = new Map<number, { resolve: (t: OpTiming) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Map<string, (fields: string[]) => void>();
  private nextId = 1;
  private stderr = "";
  private exited: string | null = null;
  /** performance.now() = (wire nanoTime - base) / 1e6. */
  private base = 0;
  hello!: WireHello;

  private constructor(private readonly proc: ChildProcess) {}

  /**
   * Start the JVM, wait for its session (READY), compare the clocks and prepare the statements.
   * @example const w = await JavaWire.open({ connect: live.options, consistency: "ONE", requireV5: true }, ["SELECT ..."])
   */
  static async open(o: WireOptions, statements: string[]): Promise<JavaWire> {
    const { java, classpath, driverVersion } = prepareWire(o.log);
    const c = o.connect;
    const port = c.port ?? 9042;
    const contact = (o.coordinators ?? c.contactPoints).map((h) => (/:\d+$/.test(h) && !h.includes("::") ? h : `${h}:${port}`));
    const args = [
      "-Xss512k",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", // C1 only: a bench run is short, and C2 compiling would take CPU from the 2-core load
      "-Xmx256m",
      "-cp",
      classpath,
      "BenchWire",
      `contact=${contact.join(",")}`,
      `dc=${c.localDataCenter ?? "datacenter1"}`,
      `consistency=${o.consistency}`,
      `timeoutMs=${o.timeoutMs ?? 12_000}`,
      `pool=${o.connectionsPerHost ?? 1}`,
      `protocol=${o.requireV5 ? "V5" : "auto"}`,
      ...(o.coordinators ? [`coordinators=${o.coordinators.join(",")}`] : []),
    ];
    const env = { ...process.env };
    if (c.credentials) {
      env.CASSPERF_WIRE_USERNAME = c.credentials.username;
      env.CASSPERF_WIRE_PASSWORD = c.credentials.password;
    }
    const proc = spawn(java, args, { stdio: ["pipe", "pipe", "pipe"], env });
    const wire = new JavaWire(proc);
    await wire.start(contact, driverVersion);
    try {
      for (let k = 0; k < statements.length; k++) {
        const f = await wire.request(`P\t${k}\t${escapeField(statements[k])}`, `P${k}`);
        if (f[2] !== "OK") throw new CassperfError(`bench: the Java driver could not prepare ${JSON.stringify(statements[k])}: ${f[3]}: ${f[4]}`);
      }
    } catch (e) {
      await wire.close();
      throw e;
    }
    return wire;
  }

  private async start(contact: string[], driverVersion: string): Promise<void> {
    const proc = this.proc;
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    const ready = new Promise<string[]>((resolve, reject) => {
      this.waiters.set("READY", resolve);
      this.waiters.set("FAIL", (f) =>
        reject(new CassperfError(`bench: the Java driver ${driverVersion} could not connect to ${contact.join(", ")}: ${f[1]}: ${f[2]}`)),
      );
      proc.once("error", (e) => reject(new CassperfError(`bench: could not start the v5 wire's JVM: ${e.message}`, { hint: JDK_INSTALL_HINT })));
      proc.once("exit", (code) => reject(new CassperfError(`bench: the v5 wire's JVM exited (${code}) before connecting: ${this.stderrTail()}`)));
    });
    proc.once("exit", (code, sig) => {
      this.exited = `exited (${code ?? sig})`;
      const err = new CassperfError(`bench: the Java driver wire ${this.exited} with operations in flight: ${this.stderrTail()}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    readline.createInterface({ input: proc.stdout! }).on("line", (l) => this.onLine(l));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(
        () => reject(new CassperfError(`bench: the v5 wire did not connect and warm up on ${contact.join(", ")} within 180 s: ${this.stderrTail()}`)),
        180_000,
      );
    });
    let f: string[];
    try {
      f = await Promise.race([ready, timeout]);
    } catch (e) {
      this.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.hello = { protocol: f[1], driverVersion: f[2], release: f[3] ?? "", warmup: f[4] ?? "", clock: await this.compareClocks() };
  }

  /**
   * Five pings: if the wire's nanoTime always falls between our send and receive hrtime, both read the
   * same clock (Linux CLOCK_MONOTONIC) and its values are used as they are; otherwise the fastest ping's
   * midpoint gives the offset (error at most half its round trip).
   */
  private async compareClocks(): Promise<string> {
    let same = true;
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 5; i++) {
      const t1 = Number(process.hrtime.bigint());
      const f = await this.request(`T\t${i}`, `T${i}`);
      const t2 = Number(process.hrtime.bigint());
      const tj = Number(f[2]);
      if (!(tj >= t1 && tj <= t2)) same = false;
      if (t2 - t1 < best.rtt) best = { rtt: t2 - t1, offset: tj - (t1 + t2) / 2 };
    }
    const offset = same ? 0 : best.offset;
    this.base = Number(process.hrtime.bigint()) - performance.now() * 1e6 + offset;
    return same ? "same" : `estimated (offset ${Math.round(offset / 1000)} µs, ±${Math.round(best.rtt / 2000)} µs)`;
  }

  private stderrTail(): string {
    const lines = this.stderr.split("\n").filter((l) => l.trim() && !l.startsWith("SLF4J:"));
    return lines.slice(-3).join(" ").slice(0, 600) || "(nothing on stderr)";
  }

  private request(line: string, key: string): Promise<string[]> {
    if (this.exited) return Promise.reject(new CassperfError(`bench: the Java driver wire ${this.exited}: ${this.stderrTail()}`));
    return new Promise((resolve) => {
      this.waiters.set(key, resolve);
      this.proc.stdin!.write(`${line}\n`);
    });
  }

  private onLine(l: string): void {
    const f = l.split("\t").map(unescapeField);
    if (f[0] === "X") {
      const p = this.pending.get(Number(f[1]));
      if (!p) return;
      this.pending.delete(Number(f[1]));
      p.resolve({ start: (Number(f[2]) - this.base) / 1e6, end: (Number(f[3]) - this.base) / 1e6, ...(f[4] ? { error: f[4] } : {}) });
      return;
    }
    const key = f[0] === "READY" || f[0] === "FAIL" || f[0] === "Q" ? f[0] : `${f[0]}${f[1]}`;
    const w = this.waiters.get(key);
    if (w) {
      this.waiters.delete(key);
      w(f);
    }
  }

  execute(k: number, values: unknown[]): Promise<OpTiming> {
    if (this.exited) return Promise.reject(new CassperfError(`bench: the Java driver wire ${this.exited}: ${this.stderrTail()}`));
    const id = this.nextId++;
    const line = `X\t${id}\t${k}${values.map((v) => `\t${escapeField(cqlLiteral(v))}`).join("")}\n`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin!.write(line);
    });
  }

  private kill(): void {
    if (!this.exited) this.proc.kill("SIGKILL");
  }

  /** Close the session (Q) and wait for the JVM to exit; killed (its own PID) after 15 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.stdin!.end("Q\n");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    this.kill();
  }
}
