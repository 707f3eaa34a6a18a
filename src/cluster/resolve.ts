/**
 * What a helper's optional first argument may be: nothing (the current source), a source, or a
 * path (a file or folder, opened on the spot without changing the current source).
 */
import * as fs from "node:fs";
import { CassperfError } from "../errors";
import { current } from "./current";
import { openRecorded } from "./recorded";
import type { Source } from "./source";

/** A helper's input: omitted for the current source, a source, or a path to open. */
export type SourceInput = Source | string | undefined;

export function isSource(v: unknown): v is Source {
  return !!v && typeof v === "object" && typeof (v as Source).files === "function" && typeof (v as Source).readText === "function";
}

/**
 * The one rule for a helper's first string argument (a table name, a query, a workload, ...): when
 * it names an existing file or folder it is read as a source, opened on the spot like gcStats(path),
 * whatever the helper's other uses of a string. Returns the path, or undefined when it is not one.
 * @example existingPath("datasets/lab-3node") // "datasets/lab-3node"; existingPath("ks.t") // undefined (no such file)
 */
export function existingPath(arg: unknown): string | undefined {
  if (typeof arg !== "string" || arg.trim() === "" || arg.includes("\n") || arg.length > 4096) return undefined;
  try {
    const st = fs.statSync(arg);
    return st.isFile() || st.isDirectory() ? arg : undefined;
  } catch {
    return undefined;
  }
}

/** Resolve a helper's input to a source. */
export async function resolveSource(input: SourceInput, helper: string): Promise<Source> {
  if (input === undefined || input === null) return current();
  if (isSource(input)) return input;
  if (typeof input === "string") return openRecorded(input);
  throw new CassperfError(`${helper}: expected a source, a path (string) or nothing for the current source; got ${typeof input}.`);
}

/** What every helper's options may carry: the source to act on (see {@link helperArgs}). */
export interface HelperOptions {
  /**
   * The source to act on instead of the current one: a source, or a path to open on the spot (the
   * current source is left as it was).
   * @example await gcStats({ source: "datasets/lab-3node" })
   * @example await histograms("ks.t", { source: live })
   */
  source?: SourceInput;
}

/** A helper's arguments after the calling rule: its subject (when it has one), its source and its options. */
export interface HelperArgs<O extends HelperOptions> {
  /** The table ("ks.t" or { keyspace, table }), query or workload the helper is about; undefined when not given (or read as the source). */
  subject?: string | { keyspace: string; table: string };
  /** The source: the first argument when it is one (or a path), else options.source, else undefined for the current source. */
  source: SourceInput;
  options: O;
}

/** What a helper's first argument may be, in words, for its error. */
const SUBJECT_WORDS = {
  source: "a source or a path",
  table: 'a table name ("keyspace.table"), a source or a path',
  query: "a CQL query string (or a trace session id), a source or a path",
  workload: "a workload name, a source or a path",
} as const;

/**
 * THE calling rule of every helper: `helper(subject?, { source, ...options })`.
 *  - `subject` is what the helper is about: a table ("ks.t"), a query, a workload. Helpers about a
 *    whole source (gcStats, logs, health, ...) take the source itself there.
 *  - A string that names an existing file or folder is always read as a source (opened on the spot),
 *    whatever the helper; a Source object likewise.
 *  - `helper({ ...options })`: options alone, the subject left out.
 *  - `options.source` names the source when the first argument is the subject.
 * @example helperArgs("histograms", "ks.t", { source: "bundle/" }, "table") // { subject: "ks.t", source: "bundle/", options }
 * @example helperArgs("gcStats", "gc.log", undefined, "source")             // { source: "gc.log", options: {} }
 */
export function helperArgs<O extends HelperOptions>(
  helper: string,
  first: unknown,
  second: O | undefined,
  subject: "source" | "table" | "query" | "workload",
): HelperArgs<O> {
  if (second !== undefined && second !== null && (typeof second !== "object" || Array.isArray(second) || isSource(second)))
    throw new CassperfError(
      `${helper}: the second argument is the options object ({ source, ... }); got ${Array.isArray(second) ? "an array" : isSource(second) ? "a source" : typeof second}.`,
      { hint: `call ${helper}(${subject === "source" ? "source" : subject}, { ...options }); a source goes first or in { source }` },
    );
  let options = (second ?? {}) as O;
  let source: SourceInput = options.source;
  let named: HelperArgs<O>["subject"];
  if (first === undefined || first === null) {
    // helper() or helper(undefined, options)
  } else if (isSource(first) || (subject === "source" && typeof first === "string") || existingPath(first) !== undefined) {
    if (options.source !== undefined && options.source !== first)
      throw new CassperfError(`${helper}: two sources given (the first argument and options.source); give one.`);
    source = first as SourceInput;
  } else if (typeof first === "string") {
    named = first;
  } else if (
    subject === "table" &&
    typeof (first as { keyspace?: unknown }).keyspace === "string" &&
    typeof (first as { table?: unknown }).table === "string"
  ) {
    named = first as { keyspace: string; table: string };
  } else if (typeof first === "object" && !Array.isArray(first)) {
    if (second !== undefined) throw new CassperfError(`${helper}: options given twice (first and second argument); give one options object.`);
    options = first as O;
    source = options.source;
  } else {
    throw new CassperfError(
      `${helper}: expected ${SUBJECT_WORDS[subject]} first, or an options object; got ${Array.isArray(first) ? "an array" : typeof first}.`,
    );
  }
  return { subject: named, source, options };
}
