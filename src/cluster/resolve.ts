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
