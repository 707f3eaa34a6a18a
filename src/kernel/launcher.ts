#!/usr/bin/env node
/**
 * The cassperf Jupyter kernel process: `node dist/kernel/launcher.js <connection_file>`
 * (kernel.json's argv, written by `cassperf kernel install`).
 *
 * tslab's ZeroMQ server speaks the wire protocol; this file replaces the parts stock tslab gets
 * wrong (the design spike notebook-kernel/jkt-tslab-result.txt, not in this repository):
 *  - execute: publishes execute_input, the cell's outputs (engine.ts), an `error` message, and an
 *    execute_reply carrying ename/evalue/traceback;
 *  - one queue of execute requests; `stop_on_error` (default true) aborts only the requests that
 *    were already queued when a cell failed — tslab aborted everything for 200 ms, whatever the flag;
 *  - kernel_info_reply with status "ok"; is_complete also answers "invalid";
 *  - SIGINT (interrupt_mode "signal") interrupts the running cell; errors thrown later by timers
 *    and unhandled rejections are reported on stderr and the kernel stays alive;
 *  - shutdown_request ends the process, and so does the death of the process that started it
 *    (JPY_PARENT_PID, set by jupyter_client, polled each second as IPython's ParentPoller does):
 *    a killed Jupyter server or `cassperf run` never leaves a kernel holding its memory.
 * The prelude (prelude.ts) runs before the first cell: every helper in scope, typed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ZmqServer } from "tslab/dist/jupyter";
import { Engine, type CellSink } from "./engine";
import { PACKAGE_ROOT } from "./kernelspec";
import { bundleMetadata, type KernelError } from "./outputs";
import { preludeSource } from "./prelude";

type Socket = Parameters<ZmqServer["handleExecute"]>[0];
type Message = Parameters<ZmqServer["handleExecute"]>[1];

/** The fields of an execute_request we use. */
interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** The kernel's version, from the package. */
function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/** kernel_info_reply content. */
export function kernelInfo(): Record<string, unknown> {
  const ts = require("@tslab/typescript-for-tslab") as { version: string };
  return {
    status: "ok",
    protocol_version: "5.3",
    implementation: "cassperf",
    implementation_version: packageVersion(),
    language_info: {
      name: "typescript",
      version: ts.version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      // The combination tslab found to turn on TypeScript highlighting in Notebook and JupyterLab.
      codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
    },
    banner:
      "cassperf — Cassandra performance investigations in TypeScript (tslab engine). Every helper is in scope: open(), connect(), gcStats(), trace(), ...",
  };
}

/** The request handler tslab's server calls for everything but execute (which we serve ourselves). */
function makeHandler(engine: Engine) {
  return {
    handleKernel: () => kernelInfo() as never,
    handleExecute: async () => ({ status: "error", execution_count: 0 }),
    handleIsComplete: (req: { code: string }) => engine.isComplete(req.code),
    handleInspect: (req: { code: string; cursor_pos: number }) => {
      const text = engine.inspect(req.code, req.cursor_pos);
      const data: Record<string, string> = text === undefined ? {} : { "text/plain": text };
      return { status: "ok" as const, found: text !== undefined, data, metadata: {} };
    },
    handleComplete: (req: { code: string; cursor_pos: number }) => {
      const info = engine.complete(req.code, req.cursor_pos);
      return { cursor_start: info.start, cursor_end: info.end, matches: info.candidates, metadata: {}, status: "ok" as const };
    },
    handleShutdown: (req: { restart?: boolean }) => ({ restart: req.restart === true }),
    close: () => engine.close(),
  };
}

/** One entry of the input history (history_request). */
interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

/** Glob as IPython's history search uses it: `*` any run, `?` one character, anchored. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/** The parsed-message class of tslab (not exported): captured from the first message it parses. */
type MessageClass = { fromRaw(key: string, raw: Buffer[]): Message };

/** Set by shutdown_request: tslab closes the sockets, so late errors have nowhere to go. */
let shuttingDown = false;

class KernelServer extends ZmqServer {
  private queue: Promise<void> = Promise.resolve();
  private readonly history: HistoryEntry[] = [];
  private messageClass?: MessageClass;
  /** Bumped when a cell fails with stop_on_error: requests queued before that are aborted. */
  private abortEpoch = 0;
  private executionCount = 0;

  constructor(
    private readonly engine: Engine,
    connectionFile: string,
  ) {
    super(makeHandler(engine), connectionFile);
  }

  override async handleExecute(sock: Socket, msg: Message): Promise<void> {
    const epoch = this.abortEpoch;
    const turn = this.queue.then(() => this.executeOne(sock, msg, epoch));
    this.queue = turn.catch(() => {});
    await turn;
  }

  private async executeOne(sock: Socket, msg: Message, epoch: number): Promise<void> {
    const req = msg.content as ExecuteRequest;
    const send = (type: string, content: Record<string, unknown>, to: Socket = this.iopub) => {
      const m = msg.createReply();
      m.header.msg_type = type;
      m.content = content;
      m.signAndSend(this.connInfo.key, to);
    };
    if (epoch !== this.abortEpoch) {
      send("execute_reply", { status: "aborted", execution_count: this.executionCount }, sock);
      return;
    }
    const silent = req.silent === true;
    if (!silent && req.store_history !== false) this.executionCount++;
    const count = this.executionCount;
    if (!silent) send("execute_input", { code: req.code, execution_count: count });
    const sink: CellSink = {
      stream: (name, text) => !silent && send("stream", { name, text }),
      display: (data, metadata, transient, update) => !silent && send(update ? "update_display_data" : "display_data", { data, metadata, transient }),
      result: (data) => !silent && send("execute_result", { execution_count: count, data, metadata: bundleMetadata(data) }),
    };
    let output: string | null = null;
    const keep = !silent && req.store_history !== false;
    const outcome = await this.engine.run(req.code, { ...sink, result: (data) => ((output = String(data["text/plain"] ?? "")), sink.result(data)) });
    if (keep) this.history.push({ line: count, input: req.code, output });
    if (outcome.ok) {
      send("execute_reply", { status: "ok", execution_count: count, payload: [], user_expressions: {} }, sock);
      return;
    }
    const error: KernelError = outcome.error;
    if (!silent) send("error", { ...error });
    if (req.stop_on_error !== false) this.abortEpoch++;
    send("execute_reply", { status: "error", execution_count: count, ...error }, sock);
  }

  override publishStatus(status: string, parent: Message): void {
    this.messageClass ??= Object.getPrototypeOf(parent).constructor as MessageClass;
    super.publishStatus(status, parent);
  }

  /** tslab has no history_request; serve it here, everything else goes to tslab's dispatcher. */
  override async handleShellMessage(sock: Parameters<ZmqServer["handleShellMessage"]>[0], ...args: Buffer[]): Promise<void> {
    const delim = args.findIndex((b) => b.toString() === "<IDS|MSG>");
    let type = "";
    try {
      type = (JSON.parse(args[delim + 2].toString()) as { msg_type: string }).msg_type;
    } catch {
      /* tslab reports malformed messages */
    }
    if (type !== "history_request" || !this.messageClass) return super.handleShellMessage(sock, ...args);
    const msg = this.messageClass.fromRaw(this.connInfo.key, args);
    this.publishStatus("busy", msg);
    try {
      const reply = msg.createReply();
      reply.header.msg_type = "history_reply";
      reply.content = { status: "ok", history: this.historyFor(msg.content as Record<string, unknown>) };
      reply.signAndSend(this.connInfo.key, sock);
    } finally {
      this.publishStatus("idle", msg);
    }
  }

  /** IPython's history semantics over this session (session number 1). */
  private historyFor(req: Record<string, unknown>): unknown[] {
    const withOutput = req.output === true;
    const row = (e: HistoryEntry) => [1, e.line, withOutput ? [e.input, e.output] : e.input];
    const n = typeof req.n === "number" ? req.n : undefined;
    let entries = this.history;
    if (req.hist_access_type === "range") {
      const start = typeof req.start === "number" ? req.start : 0;
      const stop = typeof req.stop === "number" ? req.stop : Infinity;
      entries = entries.filter((e) => e.line >= start && e.line < stop);
    } else if (req.hist_access_type === "search") {
      const re = globToRegExp(String(req.pattern ?? "*"));
      entries = entries.filter((e) => re.test(e.input));
      if (req.unique === true) {
        const seen = new Set<string>();
        entries = [...entries]
          .reverse()
          .filter((e) => !seen.has(e.input) && (seen.add(e.input), true))
          .reverse();
      }
      if (n !== undefined) entries = entries.slice(-n);
    } else if (n !== undefined) entries = entries.slice(-n);
    return entries.map(row);
  }

  override handleShutdown(sock: Socket, msg: Message): void {
    shuttingDown = true;
    super.handleShutdown(sock, msg);
    // Sockets close in handleShellMessage after this returns; leave the process shortly after.
    setTimeout(() => process.exit(0), 100).unref();
  }
}

/**
 * Exit when the process that started the kernel is gone. jupyter_client sets JPY_PARENT_PID to its
 * own pid and starts the kernel as its child: once the kernel is re-parented (process.ppid changes)
 * or that pid no longer exists, nobody can reach the kernel any more.
 */
export function watchParent(parentPid: number, intervalMs = 1000): NodeJS.Timeout | undefined {
  if (!Number.isInteger(parentPid) || parentPid <= 1) return undefined;
  const wasParent = currentParentPid() === parentPid;
  const gone = () => {
    if (wasParent) return currentParentPid() !== parentPid;
    try {
      process.kill(parentPid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  };
  const timer = setInterval(() => {
    if (!gone()) return;
    process.stderr.write(`[cassperf kernel] the process that started this kernel (pid ${parentPid}) is gone; exiting\n`);
    process.exit(0);
  }, intervalMs);
  timer.unref();
  return timer;
}

/** The parent pid now (node's process.ppid is fixed at start): /proc/self/stat on Linux, else undefined. */
function currentParentPid(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Start the kernel on a connection file. */
export async function startKernel(connectionFile: string): Promise<void> {
  process.env.TZ ??= "UTC";
  watchParent(Number(process.env.JPY_PARENT_PID));
  const engine = new Engine(process.cwd());
  process.on("SIGINT", () => engine.interrupt());
  process.on("uncaughtException", (e) => !shuttingDown && engine.reportLate("Uncaught exception", e));
  process.on("unhandledRejection", (reason) => !shuttingDown && engine.reportLate("Unhandled promise rejection", reason));
  let prelude: string | undefined;
  try {
    // The helpers, plus display() for showing several outputs from one cell.
    prelude = `${preludeSource()}\nimport { display } from ${JSON.stringify(path.join(__dirname, "display"))};`;
  } catch (e) {
    process.stderr.write(`[cassperf kernel] could not build the prelude (is dist/ built?): ${String(e)}\n`);
  }
  const failed = await engine.start(prelude);
  if (failed) process.stderr.write(`[cassperf kernel] the prelude failed: ${failed.traceback.join("\n")}\n`);
  const server = new KernelServer(engine, connectionFile);
  await server.init();
}

if (require.main === module) {
  const connectionFile = process.argv[2];
  if (!connectionFile) {
    process.stderr.write("usage: node dist/kernel/launcher.js <connection_file>   (Jupyter starts this; see `cassperf kernel install`)\n");
    process.exit(2);
  }
  startKernel(connectionFile).catch((e) => {
    process.stderr.write(`[cassperf kernel] failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
