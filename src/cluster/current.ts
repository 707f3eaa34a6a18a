/**
 * The current source: the one most recently returned by connect() or open(), or chosen with use().
 * Top-level helpers act on it (DESIGN.md, "The one rule of the API").
 */
import { CassperfError } from "../errors";
import type { Source } from "./source";

let currentSource: Source | undefined;

/**
 * Make `source` the current source; returns it.
 * @example const a = await open("datasets/lab-3node"); const b = await open("bundle.tar.gz"); use(a);
 */
export function use<S extends Source>(source: S): S {
  if (!source || typeof source !== "object" || typeof (source as Source).files !== "function") {
    throw new CassperfError("use: expected a source returned by connect() or open().");
  }
  currentSource = source;
  return source;
}

/** The current source, or a clear error saying how to get one. */
export function current(): Source {
  if (!currentSource) {
    throw new CassperfError("no current source: call connect({ contactPoints: [...] }) for a live cluster or open(path) for a recording first.", {
      hint: 'e.g. await open("datasets/lab-3node")',
    });
  }
  return currentSource;
}

/** The current source if there is one (no error). */
export function currentOrUndefined(): Source | undefined {
  return currentSource;
}
