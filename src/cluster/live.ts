/**
 * Live sources: a cluster reached through cassandra-driver, plus (when the user says how) nodetool
 * on each node and the nodes' log folders.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import type { Client, ClientOptions } from "cassandra-driver";
import { CassperfError } from "../errors";
import { hideSecrets, redactText, redactValue, REDACTED } from "../redact";
import { readCompressedText } from "./archive";
import { readLineBlocks } from "./read-stream";
import { classifyByName } from "./classify";
import { filterFiles, type FileFilter, type Source, type SourceFile } from "./source";

/** Options for {@link connect}. */
export interface ConnectOptions {
  /**
   * Addresses of one or more nodes.
   * @example connect({ contactPoints: ["127.0.0.1", "127.0.0.2"], localDataCenter: "datacenter1" })
   */
  contactPoints: string[];
  /** The datacenter of the contact points (required by the driver for DC-aware routing). Default "datacenter1". */
  localDataCenter?: string;
  /** Native protocol port, 1–65535. Default 9042. */
  port?: number;
  /**
   * Username and password (PlainTextAuthProvider). Never written to a recording, and shown as
   * `password: '<redacted>'` wherever the source is displayed (REPL, notebook cell, JSON).
   */
  credentials?: { username: string; password: string };
  /** TLS options passed to the driver as `sslOptions` (ca, cert, key, rejectUnauthorized, ...). */
  ssl?: Record<string, unknown>;
  /**
   * How to run nodetool for a node: a command line with `{host}` (and optionally `{jmxPort}`)
   * placeholders, or a function returning argv. Default: none (helpers that need nodetool say so).
   * @example nodetool: "ssh {host} nodetool"
   * @example nodetool: "/opt/cassandra/bin/nodetool -h {host} -p 7199"
   */
  nodetool?: string | ((host: string) => string[]);
  /**
   * Where each node's logs are on this machine (a folder holding system.log, debug.log, gc.log*).
   * A function of the host, or a map host -> folder.
   * @example logs: { "10.0.0.1": "/mnt/logs/10.0.0.1" }
   */
  logs?: Record<string, string> | ((host: string) => string | undefined);
  /** Seconds to wait for one nodetool call. Default 60. */
  nodetoolTimeoutSeconds?: number;
  /** Extra cassandra-driver client options, passed through as given. */
  driverOptions?: Partial<ClientOptions>;
}

/** The result of running nodetool on a node. */
export interface NodetoolOutput {
  node: string;
  command: string;
  text: string;
  capturedAt: string;
}

/**
 * The connection settings as the source keeps them: the same values (bench's worker threads copy
 * them), but displayed and serialised with passwords, TLS keys and nodetool's `-pw` redacted.
 */
function protectOptions(options: ConnectOptions): ConnectOptions {
  const copy: ConnectOptions = { ...options };
  if (options.credentials) copy.credentials = hideSecrets({ ...options.credentials });
  if (options.ssl) copy.ssl = hideSecrets({ ...options.ssl });
  return hideSecrets(copy);
}

/** A live cluster. */
export class LiveSource implements Source {
  readonly kind = "live" as const;
  readonly name: string;
  /** The connection settings (displayed with passwords redacted). */
  readonly options: ConnectOptions;
  constructor(
    /** The connected cassandra-driver client. */
    readonly client: Client,
    options: ConnectOptions,
  ) {
    this.options = protectOptions(options);
    this.name = redactText(options.contactPoints.join(","));
  }

  /** What the REPL and a notebook cell show for this source: never the driver's internals or a password. */
  [Symbol.for("nodejs.util.inspect.custom")](_depth: number, options: object, inspect?: (v: unknown, o: object) => string): string {
    const util = require("node:util") as typeof import("node:util");
    const shown = { ...this.toJSON(), options: redactValue({ ...this.options }) };
    return `LiveSource ${(inspect ?? util.inspect)(shown, options)}`;
  }

  /** Node addresses from the driver's view of the ring. */
  nodes(): string[] {
    return this.client.hosts
      .values()
      .map((h) => h.address.replace(/:\d+$/, ""))
      .sort();
  }

  /** Cassandra release version per node, as the driver saw it. */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const h of this.client.hosts.values()) out[h.address.replace(/:\d+$/, "")] = h.cassandraVersion;
    return out;
  }

  /** Log files found in the configured log folders. */
  files(filter?: FileFilter): SourceFile[] {
    const files: SourceFile[] = [];
    for (const node of this.nodes()) {
      const dir = this.logDir(node);
      if (!dir || !fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        const abs = path.join(dir, name);
        const st = fs.statSync(abs);
        if (!st.isFile()) continue;
        const c = classifyByName(name);
        if (!c) continue;
        files.push({
          node,
          path: abs,
          rel: `nodes/${node}/logs/cassandra/${name}`,
          kind: c.kind,
          size: st.size,
          ...(c.compressed ? { compressed: c.compressed } : {}),
          rotation: c.rotation ?? 0,
        });
      }
    }
    return filterFiles(files, filter);
  }

  /** The configured log folder of a node. */
  logDir(node: string): string | undefined {
    const l = this.options.logs;
    if (!l) return undefined;
    return typeof l === "function" ? l(node) : l[node];
  }

  readText(file: SourceFile): Promise<string> {
    return readCompressedText(file.path, file.compressed);
  }

  readLineBlocks(file: SourceFile, options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    return readLineBlocks(file.path, file.compressed, options.signal ? { signal: options.signal } : {});
  }

  /** True when the user said how to run nodetool. */
  hasNodetool(): boolean {
    return this.options.nodetool !== undefined;
  }

  /**
   * Run nodetool on a node and return its output.
   * @example await live.nodetool("127.0.0.2", ["tpstats"])
   */
  async nodetool(node: string, args: string[]): Promise<NodetoolOutput> {
    const spec = this.options.nodetool;
    if (!spec) {
      throw new CassperfError(`nodetool: this live source was not told how to run nodetool for ${node}.`, {
        hint: 'connect({ ..., nodetool: "ssh {host} nodetool" }) or a local binary: nodetool: "/path/to/nodetool -h {host}"',
      });
    }
    const argv = typeof spec === "function" ? spec(node) : splitCommand(spec.replace(/\{host\}/g, node));
    const [cmd, ...rest] = argv;
    const timeout = (this.options.nodetoolTimeoutSeconds ?? 60) * 1000;
    const capturedAt = new Date().toISOString();
    const text = await new Promise<string>((resolve, reject) =>
      execFile(cmd, [...rest, ...args], { timeout, maxBuffer: 256 * 2 ** 20 }, (err, stdout, stderr) => {
        // nodetool prints its errors on stdout or stderr depending on the version; the command line itself says nothing.
        // Its output may echo the command line (with -pw): redacted, and the raw error (whose message holds the command line) is not kept.
        if (err) {
          const cause = Object.assign(new Error(redactText(err.message)), { code: err.code, killed: err.killed, signal: err.signal });
          reject(
            new CassperfError(
              redactText(
                `nodetool ${args.join(" ")} on ${node} failed: ${(stderr.trim() || stdout.trim() || `exit code ${err.code ?? "?"}`).split("\n").slice(-3).join(" | ")}`,
              ),
              { cause },
            ),
          );
        } else resolve(stdout);
      }),
    );
    return { node, command: args[0], text, capturedAt };
  }

  describe(): string {
    const v = this.versions();
    const versions = [...new Set(Object.values(v))].join(", ");
    return `live cluster ${this.name}: ${this.nodes().length} nodes (${this.nodes().join(", ")}), Cassandra ${versions}${this.hasNodetool() ? ", nodetool available" : ""}`;
  }

  /** Close the driver connection. */
  async close(): Promise<void> {
    await this.client.shutdown();
  }

  /** Plain description; never includes credentials (the nodetool command line is shown redacted). */
  toJSON() {
    const nodetool = this.options.nodetool;
    return {
      kind: this.kind,
      name: this.name,
      nodes: this.nodes(),
      versions: this.versions(),
      ...(nodetool !== undefined ? { nodetool: typeof nodetool === "string" ? redactText(nodetool) : "[function]" } : {}),
      ...(this.options.credentials ? { credentials: { username: this.options.credentials.username, password: REDACTED } } : {}),
    };
  }
}

/** Split a command line on spaces, honouring simple single and double quotes. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A PlainTextAuthProvider whose display hides the password (the driver keeps it as a plain field). */
export function plainTextAuth(credentials: { username: string; password: string }): InstanceType<typeof import("cassandra-driver").auth.PlainTextAuthProvider> {
  const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
  const provider = new cassandra.auth.PlainTextAuthProvider(credentials.username, credentials.password);
  return hideSecrets(provider, () => ({ username: credentials.username, password: REDACTED }));
}

/** Check connect()'s options; a port outside 1–65535 (0 included) is refused, not replaced by 9042. */
function checkConnectOptions(options: ConnectOptions): void {
  if (!options || !Array.isArray(options.contactPoints) || options.contactPoints.length === 0) {
    throw new CassperfError('connect: expected { contactPoints: ["host", ...] } with at least one address.');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 1 && options.port <= 65535)) {
    throw new CassperfError(
      `connect: port must be a whole number from 1 to 65535; got ${typeof options.port === "number" ? String(options.port) : JSON.stringify(options.port)}.`,
      { hint: "the native protocol port is usually 9042: connect({ contactPoints, port: 9042 })" },
    );
  }
}

/** The LiveSource of `options` with its driver client created but not connected (connectLive connects it). */
export function createLive(options: ConnectOptions): LiveSource {
  checkConnectOptions(options);
  const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
  const clientOptions: ClientOptions = {
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter ?? "datacenter1",
    ...(options.port !== undefined ? { protocolOptions: { port: options.port } } : {}),
    ...(options.credentials ? { authProvider: plainTextAuth(options.credentials) } : {}),
    ...(options.ssl ? { sslOptions: hideSecrets({ ...options.ssl }) as any } : {}),
    ...(options.driverOptions ?? {}),
  };
  // No heartbeats until connected: in cassandra-driver 4.8 a write that completes after its
  // connection was closed re-arms the connection's 30 s heartbeat timer (Connection._setIdleTimeout),
  // so a failed connect kept the process alive for up to 60 s.
  // connectLive() restores the interval once connected (every connection reads the shared options).
  const heartBeatInterval = clientOptions.pooling?.heartBeatInterval ?? DRIVER_HEARTBEAT_MS;
  clientOptions.pooling = { ...(clientOptions.pooling ?? {}), heartBeatInterval: 0 };
  const live = new LiveSource(new cassandra.Client(clientOptions), options);
  heartbeats.set(live, heartBeatInterval);
  return live;
}

/** cassandra-driver's default pooling.heartBeatInterval (lib/client-options.js). */
const DRIVER_HEARTBEAT_MS = 30_000;

/** The heartbeat interval each created source gets once connected. */
const heartbeats = new WeakMap<LiveSource, number>();

/** Connect to a live cluster (see {@link ConnectOptions}). */
export async function connectLive(options: ConnectOptions): Promise<LiveSource> {
  const live = createLive(options);
  const client = live.client;
  try {
    await client.connect();
  } catch (e) {
    await client.shutdown().catch(() => {});
    throw new CassperfError(`connect: could not reach ${redactText(options.contactPoints.join(", "))}: ${redactText(connectFailure(e))}`, {
      hint: "check the address and port (9042), that the node is up, and localDataCenter",
      cause: e,
    });
  }
  (client as unknown as { options: { pooling: { heartBeatInterval: number } } }).options.pooling.heartBeatInterval =
    heartbeats.get(live) ?? DRIVER_HEARTBEAT_MS;
  return live;
}

/** One line per contact point for a failed connect (the driver's message embeds each inner error's whole inspect output). */
function connectFailure(e: unknown): string {
  const inner = (e as { innerErrors?: Record<string, unknown> }).innerErrors;
  if (inner && typeof inner === "object" && Object.keys(inner).length) {
    return Object.entries(inner)
      .map(([host, err]) => `${host}: ${String((err as Error)?.message ?? err).split("\n")[0]}`)
      .join("; ");
  }
  return String((e as Error)?.message ?? e).split("\n")[0];
}
