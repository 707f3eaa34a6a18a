/**
 * The cell engine: runs one TypeScript cell at a time through tslab's converter and executor
 * (tslab 1.0.22, pinned exactly: we use its internal modules), and says what the cell showed.
 *
 * What it adds to stock tslab (found by the design spike notebook-kernel, not in this repository):
 *  - a prelude runs before the first cell, so every helper is in scope, typed, with no import line;
 *  - the value of the last expression is kept (tslab only console.logs it) and, when it is a
 *    Promise, awaited (interruptibly) before it is shown;
 *  - errors come back as ename/evalue/traceback (tslab only prints them): TypeScript diagnostics,
 *    thrown errors, rejected promises, interrupts;
 *  - `isComplete` also answers "invalid" for code that can never parse (`1 + )`);
 *  - an interrupt first aborts the cell's cancel signal (helpers stop at their next check, a large
 *    parse's worker is terminated) and gives the cell a moment to finish with what it has: the
 *    partial result is shown, and the cell still ends as interrupted. Only then is the await abandoned;
 *  - completion offers chart/frame names after `.chart("` / `.rows("` and paths after `open("`,
 *    hover works inside a call's parentheses, and a JavaScript error names the cell's own line
 *    (./cell-help.ts).
 *
 * The engine knows nothing about ZeroMQ; launcher.ts wires it to Jupyter's sockets.
 */
import * as util from "node:util";
import type * as VmModule from "node:vm";
import { createConverter, isCompleteCode, type Converter, type CompletionInfo } from "tslab/dist/converter";
import { createExecutor, type Executor } from "tslab/dist/executor";
import { printQuickInfo } from "tslab/dist/inspect";
import * as ts from "@tslab/typescript-for-tslab";
import { withRunContext } from "../run-context";
import { bundleMetadata, diagnosticsError, toKernelError, valueBundles, type KernelError, type MimeBundle } from "./outputs";
import { cellPosition, hoverPosition, valueCompletions } from "./cell-help";

/** How long an interrupted cell may take to finish with a partial result before its await is abandoned. */
export const INTERRUPT_GRACE_MS = 600;

/** The file name compiled cells run under (in stack traces), so an error can be traced to the cell's line. */
const CELL_FILENAME = "cassperf-cell.js";

/** Where a running cell's outputs go. */
export interface CellSink {
  /** Text the cell printed (console.log, process.stdout.write). */
  stream(name: "stdout" | "stderr", text: string): void;
  /** A display_data bundle (rich output that is not the cell's value). */
  display(data: MimeBundle, metadata: Record<string, unknown>, transient: Record<string, unknown>, update: boolean): void;
  /** The cell's value (execute_result). */
  result(data: MimeBundle): void;
}

/** How a cell ended. */
export type CellOutcome = { ok: true } | { ok: false; error: KernelError };

/** The format string tslab's executor prints each TypeScript diagnostic with. */
const DIAGNOSTIC_FORMAT = "%s%d:%d - %s";

/** tslab's jupyter module holds the display writer its public `display` API uses (null until a kernel sets it). */
export interface TslabDisplayHook {
  lastWriteDisplayData: ((data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void) | null;
}

export class Engine {
  private readonly executor: Executor;
  private nodeConverter?: Converter;
  /** The last expression's value of the running cell, as tslab hands it over. */
  private value: { v: unknown } | undefined;
  /** The error (or TypeScript diagnostics) of the running cell. */
  private thrown: { e: unknown } | undefined;
  private diagnostics: string[] = [];
  /** Rejected by interrupt(): races the awaited value of a cell. */
  private interruptReject: ((e: Error) => void) | undefined;
  /** Aborted by interrupt(): the running cell's cancel signal (its run context). */
  private cellAbort: AbortController | undefined;
  /** The kernel process's own stderr (before cells' output was redirected). */
  private originalStderr: (text: string) => void = (text) => void process.stderr.write(text);
  /** Where output goes: the running cell, or after it ends the last cell (as IPython does). */
  private sink: CellSink | undefined;

  constructor(rootDir: string = process.cwd()) {
    const convs = {
      node: undefined as unknown as Converter,
      browser: undefined as unknown as Converter,
      close: () => this.nodeConverter?.close(),
    };
    // Converters are built lazily: creating one starts a TypeScript program (about a second).
    Object.defineProperty(convs, "node", { get: () => (this.nodeConverter ??= createConverter({ isJS: false, isBrowser: false })) });
    Object.defineProperty(convs, "browser", {
      get: () => {
        throw new Error("cassperf's kernel runs cells in Node.js only (no //%browser cells)");
      },
    });
    this.executor = createExecutor(rootDir, convs, {
      log: (v: unknown) => {
        // tslab calls log() only with the value of the cell's last expression.
        if (v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function") {
          // Keep a rejected Promise from being reported as unhandled before we await it.
          const p = Promise.resolve(v as PromiseLike<unknown>);
          p.catch(() => {});
          this.value = { v: p };
        } else this.value = { v };
      },
      error: (...args: unknown[]) => {
        if (args[0] === DIAGNOSTIC_FORMAT) this.diagnostics.push(util.format(...args));
        else this.thrown = { e: args[0] };
      },
    });
    this.installWriters();
    this.captureCompiledCells();
  }

  /** The compiled JavaScript of the cell now running (tslab runs it with vm.runInThisContext). */
  private compiled = "";

  /**
   * tslab calls vm.runInThisContext(compiled, { breakOnSigint }) with no file name: give the code
   * one, so a stack frame of the cell can be told from the library's, and keep the code to map a
   * compiled line back to the cell's line.
   */
  private captureCompiledCells(): void {
    // The module object itself (an `import * as` namespace is read-only): tslab holds the same object.
    const vm = require("node:vm") as typeof VmModule;
    const original = vm.runInThisContext;
    vm.runInThisContext = ((code: string, options?: VmModule.RunningScriptOptions | string) => {
      if (typeof code === "string" && code.includes("__tslab__.exports, __tslab__.require")) {
        this.compiled = code;
        const o = typeof options === "object" && options !== null ? options : {};
        return original.call(vm, code, { ...o, filename: o.filename ?? CELL_FILENAME });
      }
      return original.call(vm, code, options as VmModule.RunningScriptOptions);
    }) as typeof vm.runInThisContext;
  }

  /** A JavaScript error of the cell, with the cell's own line (and a caret under the name) in its traceback. */
  private withCellLine(error: KernelError, thrown: unknown, code: string): KernelError {
    const stack = thrown instanceof Error && typeof thrown.stack === "string" ? thrown.stack : "";
    if (!stack || error.ename === "CassperfError") return error;
    const at = cellPosition(stack, CELL_FILENAME, this.compiled, code);
    if (!at) return error;
    const where = `  at cell line ${at.line}, column ${at.column}:`;
    const caret = `    ${" ".repeat(at.column - 1)}^`;
    // V8 puts "file:line", the compiled line and a caret above "TypeError: ..." for errors of vm code: drop them.
    const head = error.traceback.findIndex((l) => l.startsWith(`${error.ename}:`));
    const frames = error.traceback.slice(head < 0 ? 1 : head + 1).filter((l) => !l.includes(CELL_FILENAME));
    const traceback = [`${error.ename}: ${error.evalue}`, where, `    ${at.text}`, caret, ...frames];
    return { ...error, traceback };
  }

  /** Warm the TypeScript program and run the prelude; returns the prelude's error, if any. */
  async start(prelude?: string): Promise<KernelError | undefined> {
    if (!prelude) return undefined;
    const outcome = await this.runCode(prelude);
    return outcome.ok ? undefined : outcome.error;
  }

  /** Run one cell, sending its outputs to `sink`. Never throws. */
  async run(code: string, sink: CellSink): Promise<CellOutcome> {
    // The cell's cancel signal: helpers that call runOptions() (bench, partitionScan, histograms
    // snapshots, trace repeats, large parses) stop when the cell is interrupted (../run-context.ts).
    const ac = new AbortController();
    this.cellAbort = ac;
    try {
      const outcome = await withRunContext({ signal: ac.signal }, () => this.runCell(code, sink));
      // Interrupted, but the helper finished with what it had within the grace period: its partial
      // result is shown above, and the cell still ends as interrupted (queued cells are not run).
      if (outcome.ok && ac.signal.aborted) {
        return {
          ok: false,
          error: {
            ename: "Interrupted",
            evalue: "the cell was interrupted; the result shown is partial (what was done before the interrupt)",
            traceback: ["Interrupted: the cell was interrupted; the result shown above is partial (what was done before the interrupt)"],
          },
        };
      }
      return outcome;
    } finally {
      if (this.cellAbort === ac) this.cellAbort = undefined;
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    }
  }

  private async runCell(code: string, sink: CellSink): Promise<CellOutcome> {
    this.sink = sink;
    this.showing = false;
    const outcome = await this.runCode(code);
    if (!outcome.ok) return outcome;
    if (!this.value) return outcome;
    let v = this.value.v;
    this.value = undefined;
    try {
      if (v instanceof Promise) v = await this.interruptible(v);
      // The cell's work is done: an interrupt's grace period no longer abandons the cell while its
      // (possibly partial) result is drawn.
      this.showing = true;
      if (v === undefined) return outcome; // an awaited Promise<void> shows nothing, like a void call
      const bundles = await this.interruptible(valueBundles(v));
      bundles.forEach((b, i) => (i === bundles.length - 1 ? sink.result(b) : sink.display(b, bundleMetadata(b), {}, false)));
      return outcome;
    } catch (e) {
      return { ok: false, error: this.withCellLine(toKernelError(e), e, code) };
    }
  }

  private async runCode(code: string): Promise<CellOutcome> {
    this.value = undefined;
    this.thrown = undefined;
    this.diagnostics = [];
    let ok: boolean;
    try {
      ok = await this.executor.execute(code);
    } catch (e) {
      return { ok: false, error: toKernelError(e) };
    }
    if (ok) return { ok: true };
    if (this.diagnostics.length) return { ok: false, error: diagnosticsError(this.diagnostics) };
    // Set by the executor's console.error callback during execute() (TypeScript can't see that).
    const thrown = this.thrown as { e: unknown } | undefined;
    const e = thrown ? thrown.e : new Error("the cell failed");
    return { ok: false, error: this.withCellLine(toKernelError(e), e, code) };
  }

  /** Await `p` unless interrupt() comes first. */
  private interruptible<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.interruptReject = reject;
      p.then(resolve, reject).finally(() => {
        if (this.interruptReject === reject) this.interruptReject = undefined;
      });
    });
  }

  private graceTimer: NodeJS.Timeout | undefined;
  /** Set once the running cell's value is there and being shown (see interrupt()). */
  private showing = false;

  /**
   * Interrupt the running cell (SIGINT). First its cancel signal: a helper stops at its next check
   * and may return what it has (marked partial); if the cell has not ended after
   * {@link INTERRUPT_GRACE_MS}, its pending awaits are abandoned with an "Interrupted" error.
   */
  interrupt(): void {
    const ac = this.cellAbort;
    if (ac && !ac.signal.aborted) {
      const e = new Error("interrupted");
      e.name = "AbortError";
      ac.abort(e);
      this.graceTimer = setTimeout(() => {
        if (this.cellAbort === ac && !this.showing) this.abandon();
      }, INTERRUPT_GRACE_MS);
      return;
    }
    this.abandon();
  }

  /** Abandon the running cell's awaits: they reject with an "Interrupted" error. */
  private abandon(): void {
    this.executor.interrupt();
    const reject = this.interruptReject;
    this.interruptReject = undefined;
    if (reject) {
      const e = new Error("Interrupted");
      e.name = "Interrupted";
      reject(e);
    }
  }

  /** Report something that happened outside any cell's control flow (late timer error, unhandled rejection). */
  reportLate(kind: string, reason: unknown): void {
    const err = toKernelError(reason);
    const text = `${kind} (the kernel is still running): ${err.traceback.join("\n")}\n`;
    try {
      if (this.sink) {
        this.sink.stream("stderr", text);
        return;
      }
    } catch {
      // the cell's channel is gone (e.g. its client left): fall back to the kernel's own stderr
    }
    this.originalStderr(text);
  }

  /** Jupyter's is_complete: "complete", "incomplete" (with an indent) or "invalid". */
  isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
    const res = isCompleteCode(code);
    if (!res.completed) return { status: "incomplete", indent: res.indent ?? "" };
    const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const parseErrors = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
    return { status: parseErrors.length ? "invalid" : "complete" };
  }

  /**
   * Completions at `cursor`: inside `.chart("` / `.rows("` the names the report in that variable
   * has, inside `open("` the paths, else tslab's (the TypeScript language service).
   */
  complete(code: string, cursor: number): CompletionInfo {
    const own = valueCompletions(code, cursor, this.executor.locals as Record<string, unknown>, process.cwd());
    if (own) return { start: own.start, end: own.end, candidates: own.candidates } as CompletionInfo;
    return this.executor.complete(code, cursor);
  }

  /** Hover help at `cursor` (or, inside a call's parentheses, for the called function): JSDoc and type, or undefined. */
  inspect(code: string, cursor: number): string | undefined {
    const at = hoverPosition(code, cursor);
    const info = this.executor.inspect(code, at) ?? (at !== cursor ? this.executor.inspect(code, cursor) : undefined);
    return info ? printQuickInfo(info) : undefined;
  }

  /** Release the TypeScript program (lets the process exit). */
  close(): void {
    this.executor.close();
  }

  /** Route stdout/stderr and tslab's display API to the current (or last) cell. */
  private installWriters(): void {
    const decoder = new TextDecoder();
    const writer = (name: "stdout" | "stderr", original: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        if (!this.sink) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
        this.sink.stream(name, typeof chunk === "string" ? chunk : decoder.decode(chunk));
        const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        if (cb) cb();
        return true;
      }) as typeof process.stdout.write;
    const stderr = process.stderr.write.bind(process.stderr);
    this.originalStderr = (text) => void stderr(text);
    process.stdout.write = writer("stdout", process.stdout.write.bind(process.stdout));
    process.stderr.write = writer("stderr", stderr);
    const hook = require("tslab/dist/jupyter") as TslabDisplayHook;
    hook.lastWriteDisplayData = (d, update) => this.sink?.display(d.data, d.metadata ?? {}, d.transient ?? {}, update);
  }
}
