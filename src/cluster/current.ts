/**
 * The current source: the one most recently returned by connect() or open(), or chosen with use().
 * Top-level helpers act on it (DESIGN.md, "The one rule of the API").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { CassperfError } from "../errors";
import type { Source } from "./source";

let currentSource: Source | undefined;
/** A source bound for the duration of one call (source.gcStats() runs gcStats with it), without changing the current one. */
const scoped = new AsyncLocalStorage<Source>();

/** Run `fn` with `source` as the current source for everything it awaits; the current source is unchanged afterwards. */
export function withSource<T>(source: Source, fn: () => T): T {
  return scoped.run(source, fn);
}

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
  const bound = scoped.getStore();
  if (bound) return bound;
  if (!currentSource) {
    throw new CassperfError("no current source: call connect({ contactPoints: [...] }) for a live cluster or open(path) for a recording first.", {
      hint: 'e.g. await open("datasets/lab-3node")',
    });
  }
  return currentSource;
}

/** The current source if there is one (no error). */
export function currentOrUndefined(): Source | undefined {
  return scoped.getStore() ?? currentSource;
}
