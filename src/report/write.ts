/**
 * Writing report outputs without ever leaving one half-written or overwriting one unasked:
 * every file (or folder of chart PNGs) is first written under a temporary name in the same folder,
 * then renamed into place once ALL outputs are ready. An existing target is refused unless
 * `force`; an unwritable folder is one clear CassperfError. {@link discardPending} removes the
 * temporary files (Ctrl-C). Where the Markdown's chart PNGs go ({@link chartsFolderFor}) and which
 * outputs a run asked for ({@link OutputTargets}) live here too, for report-cli.ts and compare.ts alike.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";

/** Where the Markdown's chart PNGs go: `<name>_charts/` beside it. */
export function chartsFolderFor(mdFile: string): string {
  return path.join(path.dirname(mdFile), `${path.basename(mdFile).replace(/\.(md|markdown)$/i, "")}_charts`);
}

/** The outputs a report or compare run was asked for (the --html, --md, --json and --force options). */
export interface OutputTargets {
  html?: string;
  md?: string;
  json: boolean;
  force: boolean;
}

/** One output: a file with its content, or a folder of files. */
export type Output = { target: string; content: string | Buffer } | { target: string; folder: Record<string, Buffer> };

const pending = new Set<string>();

/** Refuse a target that exists (without force) or whose folder cannot be written: before any work is done. */
export function checkTarget(target: string, force: boolean): void {
  const abs = path.resolve(target);
  const dir = path.dirname(abs);
  if (fs.existsSync(abs) && !force) throw new CassperfError(`report: ${target} already exists; pass --force to overwrite it.`);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new CassperfError(`report: cannot write ${target}: the folder ${dir} does not exist.`);
  }
  if (!st.isDirectory()) throw new CassperfError(`report: cannot write ${target}: ${dir} is not a folder.`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new CassperfError(`report: cannot write ${target}: the folder ${dir} is not writable.`);
  }
}

function tempName(target: string): string {
  const abs = path.resolve(target);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.tmp`);
}

/**
 * Write every output under a temporary name, then rename them all into place. On any failure the
 * temporary files are removed and nothing of the targets changes.
 * @example await writeOutputs([{ target: "out.html", content: html }], { force: false })
 */
export async function writeOutputs(outputs: Output[], opts: { force: boolean; signal?: AbortSignal }): Promise<void> {
  for (const o of outputs) checkTarget(o.target, opts.force);
  const temps: { temp: string; target: string; isFolder: boolean }[] = [];
  try {
    for (const o of outputs) {
      opts.signal?.throwIfAborted();
      const temp = tempName(o.target);
      pending.add(temp);
      temps.push({ temp, target: path.resolve(o.target), isFolder: "folder" in o });
      if ("folder" in o) {
        await fs.promises.mkdir(temp);
        for (const [name, data] of Object.entries(o.folder)) await fs.promises.writeFile(path.join(temp, name), data);
      } else await fs.promises.writeFile(temp, o.content);
    }
    opts.signal?.throwIfAborted();
    for (const t of temps) {
      if (t.isFolder && fs.existsSync(t.target)) await fs.promises.rm(t.target, { recursive: true, force: true });
      await fs.promises.rename(t.temp, t.target);
      pending.delete(t.temp);
    }
  } catch (e) {
    discardPending();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EACCES" || err.code === "EPERM" || err.code === "ENOSPC" || err.code === "EROFS") {
      throw new CassperfError(`report: cannot write ${temps.at(-1)?.target ?? outputs[0]?.target}: ${err.code} (${err.message}); nothing was written.`);
    }
    throw e;
  }
}

/** Remove every temporary file or folder still pending (called on failure and on Ctrl-C). */
export function discardPending(): void {
  for (const t of pending) {
    try {
      fs.rmSync(t, { recursive: true, force: true });
    } catch {
      // best effort: the temp file is in the target's folder and named .<target>.<pid>.tmp
    }
    pending.delete(t);
  }
}
