/**
 * The REPL's evaluator: tslab's TypeScript converter and executor run in-process (tslab 1.0.22,
 * pinned; proven by the design spike notebook-kernel/inproc.cjs, not in this repository), with the kernel's prelude so every
 * helper is in scope and typed.
 *
 * Why lazy: loading TypeScript and building its program costs 1–2 s, so nothing here touches tslab
 * until `warm()` (called once the prompt is on screen) or the first line that needs it. Values a
 * line ends with are handed back as they are (the app decides how to show them); a Promise value
 * is awaited, so `gcStats()` without `await` still shows its report.
 *
 * Why two paths: until tslab is warm, a line that declares nothing runs transpile-only
 * (./fast-eval.ts: esbuild strips the types, ~ms), so the first line answers at once; the
 * TypeScript program is built when the user pauses ({@link ReplEngine.warmWhenIdle}) or when a line,
 * a completion or a hover needs it. Lines that declare names go through tslab (type-checked; the
 * names stay visible to later lines and completions), and so does every later line that names one
 * of them; the rest keep the fast path (~ms a line where tslab takes 100–300 ms).
 */
import * as util from "node:util";
import { installSyncInterrupt, SIGINT_INTERRUPTED } from "./interrupt";
import { declaredNames, openIndent, preludeScope, runScript, scriptFor, startTranspiler, transpile, type FastScope } from "./fast-eval";
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
  /** The pending idle warm-up ({@link warmWhenIdle}): its timer and the idle time it waits for. */
  /** Names lines evaluated by tslab declared (later lines naming them go through tslab); null once one could not be listed. */
  private tslabNames: Set<string> | null = new Set();
  /** The fast path's scope (the prelude's names); null when the prelude is not of the kernel's form. */
  private fastScope?: FastScope | null;
  private idle?: { timer?: NodeJS.Timeout; ms: number; done: Promise<void>; resolve: () => void; reject: (e: unknown) => void };

  constructor(options: EngineOptions) {
    this.prelude = options.prelude;
    this.rootDir = options.rootDir ?? process.cwd();
  }

  /**
   * Build the TypeScript program once the user has typed nothing for `ms` (each input restarts the
   * wait), so the 1–2 s of synchronous TypeScript work does not hold up the first lines; starts the
   * esbuild service now. Resolves when the program is built.
   */
  warmWhenIdle(ms = 1500): Promise<void> {
    if (this.executor) return this.warming ?? Promise.resolve();
    if (this.idle) return this.idle.done;
    startTranspiler();
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.idle = { ms, done, resolve, reject };
    this.touch();
    return done;
  }

  /** An input arrived: restart the idle wait before the TypeScript warm-up. */
  private touch(): void {
    const idle = this.idle;
    if (!idle) return;
    if (idle.timer) clearTimeout(idle.timer);
    idle.timer = setTimeout(() => {
      if (this.idle !== idle) return;
      this.warm().then(idle.resolve, idle.reject);
    }, idle.ms);
    idle.timer.unref?.();
  }

  private conv(): ConverterModule {
    return (this.convModule ??= require("tslab/dist/converter") as ConverterModule);
  }

  /** Build the TypeScript program and run the prelude (once; later calls wait for the first). */
  warm(): Promise<void> {
    if (this.executor) return this.warming ?? Promise.resolve();
    if (this.idle) {
      // Warming now (a line or a completion needs it): the idle wait is over.
      const idle = this.idle;
      this.idle = undefined;
      if (idle.timer) clearTimeout(idle.timer);
      const w = this.warm();
      w.then(idle.resolve, idle.reject);
      return w;
    }
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
    this.touch();
    // Before TypeScript is loaded: count open brackets (loading it here would cost the first line 1–2 s).
    if (!this.convModule) return openIndent(code);
    const { completed, indent } = this.conv().isCompleteCode(code);
    return completed ? undefined : (indent ?? "");
  }

  /** TypeScript completions at `position` of `code` (helper names, options, report fields). */
  async complete(code: string, position: number): Promise<CompletionInfo> {
    this.touch();
    await this.warm();
    const info = this.executor!.complete(code, position);
    // TypeScript answers with every name in scope; keep the ones matching what is typed.
    const typed = code.slice(info.start, position);
    const candidates = info.candidates.filter((c) => c.startsWith(typed) && !c.startsWith("tslab$"));
    return { start: info.start, end: info.end, candidates };
  }

  /** Evaluate one input (a line or several). */
  async execute(code: string): Promise<EvalResult> {
    this.touch();
    const js = await transpile(code);
    if (js !== undefined && this.tslabNames) {
      const fast = await this.runFast(code, js, this.tslabNames);
      if (fast) return fast;
      // Through tslab: remember what it declares, so later lines naming it go through tslab too.
      const d = declaredNames(code, js);
      if (d.unknown) this.tslabNames = null;
      else for (const n of d.names) this.tslabNames.add(n);
    }
    await this.warm();
    return this.run(code);
  }

  /** The transpile-only path (./fast-eval.ts); undefined when the line must go through tslab. */
  private async runFast(code: string, js: string, tslabNames: ReadonlySet<string>): Promise<EvalResult | undefined> {
    this.fastScope ??= preludeScope(typeof this.prelude === "function" ? this.prelude() : this.prelude, this.rootDir) ?? null;
    if (!this.fastScope) return undefined;
    const scope = this.fastScope;
    const plan = scriptFor(scope, code, js, tslabNames);
    if (plan === undefined) return undefined;
    installSyncInterrupt();
    let pending: Promise<unknown>;
    try {
      pending = runScript(scope, plan.script);
    } catch (e) {
      if (e instanceof Error && SIGINT_INTERRUPTED.test(e.message)) return { ok: false, stoppedBySigint: true, error: e };
      return { ok: false, error: e };
    }
    try {
      const v = await this.interruptible(pending);
      // As tslab: a line ending in a statement (a loop, an if) shows nothing.
      return plan.value ? { ok: true, value: { v } } : { ok: true };
    } catch (e) {
      if (e instanceof Error && e.message === TSLAB_INTERRUPTED) {
        pending.catch(() => {});
        return { ok: false, interrupted: true };
      }
      return { ok: false, error: e };
    }
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
    if (this.idle?.timer) clearTimeout(this.idle.timer);
    this.idle = undefined;
    this.executor?.close();
  }
}
