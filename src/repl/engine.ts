/**
 * The REPL's evaluator: tslab's TypeScript converter and executor run in-process (tslab 1.0.22,
 * pinned; proven by the design spike notebook-kernel/inproc.cjs, not in this repository), with the kernel's prelude so every
 * helper is in scope and typed.
 *
 * Why lazy: loading TypeScript and building its program costs 1–2 s, so nothing here touches tslab
 * until `warm()` (called once the prompt is on screen) or the first line that needs it. Values a
 * line ends with are handed back as they are (the app decides how to show them); a Promise value
 * is awaited, so `gcStats()` without `await` still shows its report.
 */
import * as util from "node:util";
import { installSyncInterrupt, SIGINT_INTERRUPTED } from "./interrupt";
import type { CompletionInfo, Converter } from "tslab/dist/converter";
import type { Executor } from "tslab/dist/executor";

/** What one evaluated line produced. */
export interface EvalResult {
  /** False when it failed to compile, threw, or was interrupted. */
  ok: boolean;
  /** The value of the last expression, when there is one. */
  value?: { v: unknown };
  /** The thrown error (runtime). */
  error?: unknown;
  /** TypeScript diagnostics, one readable line each ("1:7 - Type 'number' is not assignable ..."). */
  diagnostics?: string[];
  /** True when interrupt() ended it (its promise is abandoned). */
  interrupted?: boolean;
  /** True when Ctrl-C (SIGINT) stopped synchronous code (a loop) in the middle. */
  stoppedBySigint?: boolean;
}

/** The message tslab's executor rejects with on interrupt(). */
const TSLAB_INTERRUPTED = "Interrupted asynchronously";

type ConverterModule = typeof import("tslab/dist/converter");

export interface EngineOptions {
  /** Prelude source run before the first line (the kernel's preludeSource()), or a function giving it when warming. */
  prelude: string | (() => string);
  /** Folder user code resolves relative imports from. Default: the current directory. */
  rootDir?: string;
}

export class ReplEngine {
  private readonly prelude: string | (() => string);
  private readonly rootDir: string;
  private convModule?: ConverterModule;
  private converter?: Converter;
  private executor?: Executor;
  private warming?: Promise<void>;
  /** What tslab's executor handed over for the running input: the last expression's value (logged once, at the end) and its errors. */
  private captured: { value?: { v: unknown }; errors: unknown[][] } = { errors: [] };
  private interruptReject?: (e: Error) => void;

  constructor(options: EngineOptions) {
    this.prelude = options.prelude;
    this.rootDir = options.rootDir ?? process.cwd();
  }

  private conv(): ConverterModule {
    return (this.convModule ??= require("tslab/dist/converter") as ConverterModule);
  }

  /** Build the TypeScript program and run the prelude (once; later calls wait for the first). */
  warm(): Promise<void> {
    if (this.executor) return this.warming ?? Promise.resolve();
    this.warming = (async () => {
      // Let the caller's render reach the screen before the synchronous TypeScript work starts.
      await new Promise((r) => setImmediate(r));
      // Ctrl-C stops synchronous user code (while (true) {}), as in node's REPL (./interrupt.ts).
      installSyncInterrupt();
      const { createConverter } = this.conv();
      const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
      this.converter = createConverter({ isJS: false, isBrowser: false });
      const converter = this.converter;
      const convs = {
        get node() {
          return converter;
        },
        get browser(): Converter {
          throw new Error("browser mode is not supported in the cassperf REPL");
        },
        close: () => converter.close(),
      };
      this.executor = createExecutor(this.rootDir, convs, {
        log: (v: unknown) => void (this.captured.value = { v }),
        error: (...args: unknown[]) => void this.captured.errors.push(args),
      });
      const r = await this.run(typeof this.prelude === "function" ? this.prelude() : this.prelude);
      if (!r.ok) throw new Error(`the REPL prelude failed: ${r.diagnostics?.join("; ") ?? util.inspect(r.error)}`);
    })();
    const w = this.warming;
    w.then(
      () => {
        if (this.warming === w) this.warming = undefined;
      },
      () => {},
    );
    return w;
  }

  /**
   * The indent for the next line when `code` is not a complete statement list (the user is still
   * typing, e.g. an open brace); undefined when it is complete. A line ending in a blank line is
   * always complete (Enter twice forces it).
   */
  continuation(code: string): string | undefined {
    if (code.trim() === "") return undefined;
    const { completed, indent } = this.conv().isCompleteCode(code);
    return completed ? undefined : indent ?? "";
  }

  /** TypeScript completions at `position` of `code` (helper names, options, report fields). */
  async complete(code: string, position: number): Promise<CompletionInfo> {
    await this.warm();
    const info = this.executor!.complete(code, position);
    // TypeScript answers with every name in scope; keep the ones matching what is typed.
    const typed = code.slice(info.start, position);
    const candidates = info.candidates.filter((c) => c.startsWith(typed) && !c.startsWith("tslab$"));
    return { start: info.start, end: info.end, candidates };
  }

  /** Evaluate one input (a line or several). */
  async execute(code: string): Promise<EvalResult> {
    await this.warm();
    return this.run(code);
  }

  private async run(code: string): Promise<EvalResult> {
    const ex = this.executor!;
    this.captured = { errors: [] };
    let ok: boolean;
    try {
      ok = await this.interruptible(ex.execute(code));
    } catch {
      ex.interrupt();
      return { ok: false, interrupted: true };
    }
    const { value, errors } = this.captured;
    if (!ok || errors.length) {
      const diagnostics = errors.filter((a) => typeof a[0] === "string" && String(a[0]).includes("%")).map((a) => util.format(...a).trim());
      const thrown = errors.find((a) => !(typeof a[0] === "string" && String(a[0]).includes("%")));
      if (thrown && thrown[0] instanceof Error && thrown[0].message === TSLAB_INTERRUPTED) return { ok: false, interrupted: true };
      if (thrown && thrown[0] instanceof Error && SIGINT_INTERRUPTED.test(thrown[0].message)) return { ok: false, stoppedBySigint: true, error: thrown[0] };
      if (diagnostics.length) return { ok: false, diagnostics };
      return { ok: false, error: thrown ? thrown[0] : new Error("evaluation failed") };
    }
    if (!value) return { ok: true };
    let v = value.v;
    if (v instanceof Promise) {
      try {
        v = await this.interruptible(v);
      } catch (e) {
        if (e instanceof Error && e.message === TSLAB_INTERRUPTED) return { ok: false, interrupted: true };
        return { ok: false, error: e };
      }
    }
    return { ok: true, value: { v } };
  }

  /** `work`, or a rejection with {@link TSLAB_INTERRUPTED} as soon as interrupt() is called. */
  private async interruptible<T>(work: Promise<T>): Promise<T> {
    const interrupted = new Promise<never>((_, reject) => (this.interruptReject = reject));
    interrupted.catch(() => {});
    try {
      return await Promise.race([work, interrupted]);
    } finally {
      this.interruptReject = undefined;
    }
  }

  /** Abandon the running input: its promise is dropped and execute() resolves `interrupted`. */
  interrupt(): void {
    this.interruptReject?.(new Error(TSLAB_INTERRUPTED));
  }

  /** Stop TypeScript's watch program so the process can exit. */
  close(): void {
    this.executor?.close();
  }
}
