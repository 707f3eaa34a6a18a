/**
 * The prelude both the Jupyter kernel and the REPL run before the first cell: every public helper
 * in scope, typed (from dist/index.d.ts), with no import line for the user to write.
 */
import * as path from "node:path";

/** The TypeScript source of the prelude: `import { connect, open, ... } from "<dist>/index";`. */
export function preludeSource(): string {
  const dist = path.resolve(__dirname, "..");
  const api = require(path.join(dist, "index")) as Record<string, unknown>;
  const names = Object.keys(api).filter((n) => n !== "default" && !n.startsWith("_") && /^[A-Za-z]\w*$/.test(n));
  return `import { ${names.join(", ")} } from ${JSON.stringify(path.join(dist, "index"))};`;
}
