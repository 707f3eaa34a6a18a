/**
 * The helpers as methods of every source (DESIGN.md, "The one rule of the API"):
 * `live.trace(...)`, `pm.gcStats()`, ... run the top-level helper with that source bound as the
 * current source for the call (./cluster/current.ts withSource), leaving the current source as it was.
 */
import { withSource } from "./cluster/current";
import { LiveSource } from "./cluster/live";
import { RecordedSource } from "./cluster/recorded";
import type { Source } from "./cluster/source";

/** Attach each helper of the registry (./registry.ts HELPERS) as a method of LiveSource and RecordedSource. */
export function attachHelpers(helpers: Map<string, { run: (...args: any[]) => unknown }>): void {
  for (const [name, { run: fn }] of helpers) {
    for (const cls of [LiveSource, RecordedSource]) {
      Object.defineProperty(cls.prototype, name, {
        value: function (this: Source, ...args: unknown[]) {
          return withSource(this, () => fn(...args));
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
}
