/**
 * The registry's machinery: `helper(name, run, entry)` records one helper; the entries themselves are
 * written in ./helpers.ts, one per helper, and everything that lists helpers reads them from here:
 *  - the package's exports and the kernel's and REPL's prelude (./index.ts `export * from "./helpers"`);
 *  - the helpers as methods of every source (./methods.ts) and their types ({@link SourceHelpers});
 *  - health()'s steps ({@link healthSteps}: the entries with a `health` runner, in registry order);
 *  - inventory()'s capability rows, health()'s "cannot answer" rows and the helpers' "the source has
 *    no ..." errors (each entry's `needs`);
 *  - the REPL's :help line and the kernel's path completion ({@link helperNames}, {@link subjectOf}).
 *
 * This module imports nothing at run time (the capability machinery in ./cluster/capabilities.ts reads
 * the entries' `needs` from here), so reading the names costs nothing; they are there once
 * ./helpers.ts has loaded (the package's entry point loads it first).
 */
import type { Source } from "./cluster/source";
import type { HelperNeeds } from "./cluster/capabilities";
import type { Report } from "./present/report";
import type { RunContext } from "./analyze/health";

/** What a helper's first argument names: "source" for helpers about a whole source, else their subject. */
export type HelperSubject = "source" | "table" | "query" | "workload";

/** One registry entry: what the helper is about, what it reads, how health() runs it. */
export interface HelperEntry {
  /** What the first argument names (the REPL's :help shows it: `trace(query, { source })`). */
  subject: HelperSubject;
  /** What it reads from a source and what to add when it cannot answer; absent: answers from any source. */
  needs?: HelperNeeds;
  /** How health() runs it on a source, given the reports of the steps before; absent: health() does not run it. */
  health?: (source: Source, ctx: RunContext) => Promise<Report>;
}

/** A registered helper: its entry, its name and its function. */
export interface RegisteredHelper extends HelperEntry {
  name: string;
  run: (...args: any[]) => Promise<Report>;
}

/** The entries, in registration order (./helpers.ts order, which is health()'s order). */
export const HELPERS = new Map<string, RegisteredHelper>();

/**
 * Register a helper and return its function unchanged (so its JSDoc stays the hover help).
 * @example export const gcStats = helper("gcStats", gcStatsOf, { subject: "source", needs: { ... }, health: (s) => gcStatsOf(s) });
 */
export function helper<F extends (...args: any[]) => Promise<Report>>(name: string, run: F, entry: HelperEntry): F {
  if (HELPERS.has(name)) throw new Error(`helper ${name} registered twice`);
  HELPERS.set(name, { name, run, ...entry });
  return run;
}

/** Every helper's name, in registry order. */
export function helperNames(): string[] {
  return [...HELPERS.keys()];
}

/** What a helper's first argument names, or undefined for a name that is no helper. */
export function subjectOf(name: string): HelperSubject | undefined {
  return HELPERS.get(name)?.subject;
}

/** health()'s steps: the entries with a `health` runner, in registry order. */
export function healthSteps(): { helper: string; run: (source: Source, ctx: RunContext) => Promise<Report> }[] {
  const steps: { helper: string; run: (source: Source, ctx: RunContext) => Promise<Report> }[] = [];
  for (const [name, entry] of HELPERS) if (entry.health) steps.push({ helper: name, run: entry.health });
  return steps;
}

/** What every source can do: each helper of ./helpers.ts as a method, typed from its exports. */
export type SourceHelpers = typeof import("./helpers");

/** A helper's name. */
export type HelperName = keyof SourceHelpers;
