/**
 * Path parameters of a runbook, checked before its kernel starts (`cassperf run nb -p source dse68`).
 *
 * A parameter is a path when it is a string named `source`, or when the comment lines just above
 * its declaration in the parameters cell say "path" (runbook 5: "The two runs to compare: file
 * paths, or ..."). A value given with -p is resolved against the directory `cassperf run` was
 * started in (where the user typed it) and injected as an absolute path: cells run in the
 * notebook's own folder, where "dse68" would mean something else. A default left in the
 * parameters cell is resolved against the notebook's folder, as the kernel will read it.
 *
 * Each non-empty path must exist, be readable and be a source cassperf can open (open()'s own
 * checks); the first that is not stops the run with one line naming the parameter — before a
 * kernel has spent 46 s starting and running cells.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";
import { cellSource, parametersCellIndex, parseParameters, type NotebookJson } from "./parameters";

/** Names of the parameters that are paths (see the file comment). */
export function pathParameterNames(nb: NotebookJson): string[] {
  const i = parametersCellIndex(nb);
  if (i < 0) return [];
  const lines = cellSource(nb.cells[i]).split("\n");
  const out: string[] = [];
  for (const p of parseParameters(lines.join("\n"))) {
    if (!p.types.includes("string")) continue;
    const at = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?(?:const|let|var)\\s+${p.name.replace(/\$/g, "\\$")}\\b`).test(l));
    const comments: string[] = [];
    for (let k = at - 1; k >= 0 && /^\s*\/\//.test(lines[k]); k--) comments.unshift(lines[k]);
    const trailing = at >= 0 ? (/\/\/(.*)$/.exec(lines[at])?.[1] ?? "") : "";
    if (p.name === "source" || /\bpaths?\b/i.test(comments.join(" ") + trailing)) out.push(p.name);
  }
  return out;
}

/** A string literal's value ("" when it is not one). */
function literalValue(text: string): string {
  const t = text.trim();
  if (/^"(?:[^"\\]|\\.)*"$/s.test(t)) return JSON.parse(t) as string;
  if (/^'(?:[^'\\]|\\.)*'$/s.test(t)) return t.slice(1, -1);
  return "";
}

/**
 * The -p values with every path parameter made absolute (relative to `cwd`), and the list of paths
 * to check: the given ones, and the defaults of those not given (relative to the notebook's folder).
 */
export function resolvePathParameters(
  nb: NotebookJson,
  notebookFile: string,
  values: [string, string][],
  cwd = process.cwd(),
): { values: [string, string][]; check: { name: string; given: string; absolute: string; from: "-p" | "default" }[] } {
  const names = new Set(pathParameterNames(nb));
  const check: { name: string; given: string; absolute: string; from: "-p" | "default" }[] = [];
  const out = values.map(([name, value]): [string, string] => {
    if (!names.has(name) || value === "" || value === "null") return [name, value];
    const expanded = value === "~" || value.startsWith("~/") ? path.join(process.env.HOME ?? "~", value.slice(1)) : value;
    const absolute = path.resolve(cwd, expanded);
    check.push({ name, given: value, absolute, from: "-p" });
    return [name, absolute];
  });
  const given = new Set(values.map(([n]) => n));
  const i = parametersCellIndex(nb);
  if (i >= 0) {
    for (const p of parseParameters(cellSource(nb.cells[i]))) {
      if (!names.has(p.name) || given.has(p.name)) continue;
      const v = literalValue(p.defaultText);
      if (v) check.push({ name: p.name, given: v, absolute: path.resolve(path.dirname(path.resolve(notebookFile)), v), from: "default" });
    }
  }
  return { values: out, check };
}

/**
 * Check each path: it exists, it is readable, and open() accepts it (a dataset, bundle, archive,
 * folder or a single file of a kind cassperf reads). Throws one CassperfError naming the parameter.
 * @example await checkPathParameters(resolvePathParameters(nb, "2-gc.ipynb", [["source", "dse68"]]).check)
 */
export async function checkPathParameters(check: { name: string; given: string; absolute: string; from: "-p" | "default" }[]): Promise<void> {
  for (const c of check) {
    const label = c.from === "-p" ? `-p ${c.name} ${c.given}` : `the parameters cell's ${c.name} = "${c.given}"`;
    const st = fs.statSync(c.absolute, { throwIfNoEntry: false });
    if (!st)
      throw new CassperfError(`${label}: ${c.absolute} does not exist.`, {
        hint: c.from === "-p" ? "a relative path is read from the directory cassperf run was started in" : "pass -p " + c.name + " <path>",
      });
    try {
      fs.accessSync(c.absolute, fs.constants.R_OK | (st.isDirectory() ? fs.constants.X_OK : 0));
    } catch {
      throw new CassperfError(`${label}: ${c.absolute} is not readable by this user.`);
    }
    const { openRecorded } = require("../cluster/recorded") as typeof import("../cluster/recorded");
    try {
      await openRecorded(c.absolute);
    } catch (e) {
      throw new CassperfError(`${label}: cassperf cannot open ${c.absolute} as a source: ${(e as Error).message}`);
    }
  }
}
