/**
 * Recorded sources: whatever was copied off a cluster, opened from disk.
 *
 * Layouts understood, tried in this order:
 *  1. a cassperf dataset (a folder with cassperf.json; see DESIGN.md "Dataset layout");
 *  2. a diagnostic bundle (sperf / OpsCenter / ds-collector): a folder with nodes/<node>/...,
 *     possibly one level down (archives usually wrap everything in one top folder);
 *  3. a loose folder: files at the top belong to a node named after the folder, and each
 *     sub-folder that holds recognisable files is a node named after the sub-folder;
 *  4. a single file (gc log, system.log, nodetool output, cassandra-stress output, trace export),
 *     plain, .gz, or a .zip of one file;
 *  5. a .tar.gz/.tgz/.tar/.zip of any of the above, extracted safely (./archive.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";
import { readLineBlocks } from "./read-stream";
import {
  archiveType,
  DEFAULT_EXTRACT_LIMITS,
  extractArchive,
  fileTypeWords,
  formatBytes,
  gunzipHead,
  readCompressedText,
  readHead,
  readZipHead,
  zipEntryNames,
  type ExtractLimits,
} from "./archive";
import { classifyByContent, classifyByName, looksBinary, nodetoolMismatch, type Classified } from "./classify";
import { parseManifest, verifyManifestFiles, type DatasetManifest } from "./manifest";

export type { DatasetManifest } from "./manifest";
import { registerSourceNotes } from "./source-notes";
import { filterFiles, type FileFilter, type Source, type SourceFile } from "./source";
import { plural } from "../present/plural";

/** Options for {@link open}. */
export interface OpenOptions {
  /**
   * Node name to use for a single file or a loose folder's top-level files.
   * Default: the folder after `nodes/` when the path has one, else the file's name.
   * @example open("gc.log.0.current", { node: "10.0.0.12" })
   */
  node?: string;
  /**
   * Refuse archives that would unpack to more than this many bytes. Default 4 GiB.
   * @example open("huge-bundle.tar.gz", { maxExtractBytes: 16 * 2 ** 30 })
   */
  maxExtractBytes?: number;
}

/** How the recorded source was laid out on disk. */
export type RecordedLayout = "dataset" | "bundle" | "folder" | "file";

/** A source opened from disk. */
export class RecordedSource implements Source {
  readonly kind = "recorded" as const;
  constructor(
    /** The path the user gave. */
    readonly name: string,
    /** The folder files are relative to (a temporary folder for archives). */
    readonly root: string,
    readonly layout: RecordedLayout,
    private readonly allFiles: SourceFile[],
    /** The dataset manifest, for layout "dataset". */
    readonly manifest?: DatasetManifest,
    /** The archive type when opened from one. */
    readonly archive?: string,
    /**
     * What the user must know about this source as a whole: files or folders that could not be
     * read, files that vanished or were skipped while it was opened, nodetool outputs saved under
     * another command's name, differences from its manifest. Shown on every report from it.
     */
    readonly notes: readonly string[] = [],
    /** The most bytes one file may unpack to when read (open's maxExtractBytes). */
    private readonly maxReadBytes?: number,
  ) {
    registerSourceNotes(this.describe(), notes);
  }

  nodes(): string[] {
    const set = new Set(this.allFiles.filter((f) => f.kind !== "manifest" && f.node !== "").map((f) => f.node));
    for (const n of this.manifest?.nodes ?? []) set.add(n);
    return [...set].sort();
  }

  files(filter?: FileFilter): SourceFile[] {
    return filterFiles(this.allFiles, filter);
  }

  async readText(file: SourceFile): Promise<string> {
    try {
      return await readCompressedText(file.path, file.compressed, {
        name: this.layout === "file" ? this.name : `${this.name}: ${file.rel}`,
        ...(this.maxReadBytes ? { maxBytes: this.maxReadBytes } : {}),
      });
    } catch (e) {
      if (e instanceof CassperfError) throw e;
      throw new CassperfError(`cannot read ${file.rel} of ${this.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  readLineBlocks(file: SourceFile, options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    return readLineBlocks(file.path, file.compressed, {
      name: this.layout === "file" ? this.name : `${this.name}: ${file.rel}`,
      ...(this.maxReadBytes ? { maxBytes: this.maxReadBytes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  describe(): string {
    const nodes = this.nodes();
    const what = { dataset: "cassperf dataset", bundle: "diagnostic bundle", folder: "folder", file: "file" }[this.layout];
    return `recorded ${what} ${this.name}${this.archive ? ` (${this.archive})` : ""}: ${plural(nodes.length, "node")} (${nodes.join(", ")}), ${plural(this.allFiles.length, "file")}`;
  }

  /** Plain description for JSON and for the REPL's `:source`. */
  toJSON() {
    return {
      kind: this.kind,
      name: this.name,
      layout: this.layout,
      nodes: this.nodes(),
      files: this.allFiles.length,
      ...(this.notes.length ? { notes: this.notes } : {}),
    };
  }
}

const EXPECTED =
  "a cassperf dataset folder, a diagnostic bundle (folder with nodes/<node>/, or a .tar.gz/.zip of one), or a single gc log, system.log, nodetool output, cassandra-stress output or trace export";

/** Open a recorded source. See {@link RecordedSource} for the layouts. */
export async function openRecorded(input: string, options: OpenOptions = {}): Promise<RecordedSource> {
  if (typeof input !== "string" || input.trim() === "") {
    throw new CassperfError(`open: expected a path (string) to ${EXPECTED}; got ${input === "" ? "an empty string" : typeof input}.`);
  }
  const abs = path.resolve(input);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new CassperfError(`open: ${input} does not exist; expected ${EXPECTED}.`);
  }
  // A named pipe, socket or device is refused before anything reads it: opening a FIFO for reading
  // blocks until a writer comes (forever, and synchronously), and a device never ends.
  if (!st.isFile() && !st.isDirectory()) {
    throw new CassperfError(`open: ${input} is ${fileTypeWords(st)}, not a regular file or folder; expected ${EXPECTED}.`, {
      hint: "copy what the pipe or device carries into a file first, then open the file",
    });
  }
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    throw new CassperfError(`open: ${input} is not readable (permission denied); expected ${EXPECTED}.`);
  }
  const limits: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS, ...(options.maxExtractBytes ? { maxBytes: options.maxExtractBytes } : {}) };
  if (st.isDirectory()) return openFolder(input, abs, undefined, options.maxExtractBytes);

  const type = archiveType(abs);
  if (type === "zip") {
    const entries = await zipEntryNames(abs);
    // One file at the top of the zip: a compressed log (gc.log.zip), not a bundle.
    if (entries.length === 1 && !entries[0].name.includes("/")) {
      if (entries[0].size > limits.maxBytes) {
        throw new CassperfError(`open: refused ${input}: it would unpack to more than ${formatBytes(limits.maxBytes)} (${formatBytes(entries[0].size)}).`, {
          hint: "raise the limit with open(path, { maxExtractBytes }) if you trust this file",
        });
      }
      const head = await readZipHead(abs);
      return openSingleFile(input, abs, st, options, "zip", entries[0].name, head, options.maxExtractBytes);
    }
  }
  if (type === "zip" || type === "tar" || type === "tar.gz") {
    const dir = await extractArchive(abs, type, limits);
    return openFolder(input, dir, type, limits.maxBytes);
  }
  return openSingleFile(input, abs, st, options, type === "gz" ? "gz" : undefined, undefined, undefined, options.maxExtractBytes);
}

function openSingleFile(
  input: string,
  abs: string,
  st: fs.Stats,
  options: OpenOptions,
  compressed?: "gz" | "zip",
  innerName?: string,
  zipHead?: string,
  maxReadBytes?: number,
): RecordedSource {
  if (st.size === 0) throw new CassperfError(`open: ${input} is an empty file; expected ${EXPECTED}.`);
  const displayName = innerName ?? path.basename(abs).replace(/\.(gz|zip)$/i, "");
  let c: Classified | undefined = classifyByName(displayName);
  let head = zipHead ?? "";
  if (!compressed) {
    const sample = readHead(abs);
    if (looksBinary(sample)) throw new CassperfError(`open: ${input} is a binary file, not text; expected ${EXPECTED}.`);
    head = sample.toString("utf8");
  } else if (compressed === "gz") {
    head = gunzipHead(abs, 256 * 1024)
      .subarray(0, 64 * 1024)
      .toString("utf8");
  }
  if ((!c || c.kind === "unrecognized" || c.kind === "conf") && head) c = classifyByContent(head) ?? c;
  const notes: string[] = [];
  if (c?.kind === "nodetool" && head) {
    const other = nodetoolMismatch(c.command, head);
    if (other) {
      notes.push(`${path.basename(abs)} is named like nodetool ${c.command} but holds nodetool ${other} output; read as ${other}.`);
      c = { kind: "nodetool", command: other };
    }
  }
  if (!c) {
    throw new CassperfError(`open: ${input} is not a file cassperf recognises; expected ${EXPECTED}.`, {
      hint: "name the file as Cassandra does (system.log, gc.log, nodetool/<command>) or check its content",
    });
  }
  const node = options.node ?? nodeFromPath(abs) ?? path.basename(abs).replace(/\.(gz|zip)$/i, "");
  const file: SourceFile = {
    node,
    path: abs,
    rel: path.basename(abs),
    kind: c.kind,
    size: st.size,
    ...(c.command ? { command: c.command } : {}),
    ...(compressed ? { compressed } : {}),
    rotation: c.rotation ?? 0,
  };
  return new RecordedSource(input, path.dirname(abs), "file", [file], undefined, undefined, notes, maxReadBytes);
}

/** `.../nodes/<node>/...` -> `<node>`. */
function nodeFromPath(abs: string): string | undefined {
  const parts = abs.split(path.sep);
  const i = parts.lastIndexOf("nodes");
  return i >= 0 && i + 1 < parts.length - 1 ? parts[i + 1] : undefined;
}

// readHead lives in ./archive.ts (gunzipHead reads with it); still exported from here for its callers.
export { readHead };

/** What a folder walk found: regular files, folders it could not list, and what it skipped, each with why. */
interface Walked {
  files: string[];
  /** Folders that exist but could not be listed (permission denied, I/O error), with the reason. */
  unlisted: { dir: string; why: string }[];
  /** Things skipped, one sentence each (named pipes, devices, links out of the folder, files that vanished). */
  skipped: string[];
}

/** The reason in an fs error, in words: "permission denied" for EACCES, else the code and message. */
function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "EACCES" || err?.code === "EPERM") return "permission denied";
  return err?.code ? `${err.code}: ${err.message}` : String((e as Error)?.message ?? e);
}

const vanished = (e: unknown) => (e as NodeJS.ErrnoException)?.code === "ENOENT" || (e as NodeJS.ErrnoException)?.code === "ENOTDIR";

/**
 * Walk a folder: regular files only, never following links out of the root. Named pipes, sockets
 * and devices are skipped with a note (reading one blocks or never ends); folders that cannot be
 * listed are returned so the caller lists them as unreadable; files and folders that vanish while
 * it walks (logs rotating underneath) are skipped with a note, never thrown.
 */
function walk(root: string, relTo: string = root): Walked {
  const out: Walked = { files: [], unlisted: [], skipped: [] };
  const stack = [root];
  let realRoot: string | undefined;
  const rel = (p: string) => toRel(relTo, p) || ".";
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (vanished(e)) out.skipped.push(`${rel(dir)}/ vanished while the folder was being read (rotated or moved away); skipped.`);
      else out.unlisted.push({ dir, why: why(e) });
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.files.push(p);
      else if (e.isSymbolicLink()) {
        // Follow a link only when its target stays inside the root and is a regular file.
        try {
          const real = fs.realpathSync(p);
          realRoot ??= fs.realpathSync(root);
          if (!real.startsWith(realRoot + path.sep)) out.skipped.push(`${rel(p)} is a link to ${real}, outside the folder; not followed.`);
          else {
            const st = fs.statSync(real);
            if (st.isFile()) out.files.push(p);
            else if (!st.isDirectory()) out.skipped.push(`${rel(p)} links to ${fileTypeWords(st)}, not a regular file; skipped.`);
          }
        } catch {
          out.skipped.push(`${rel(p)} is a link whose target does not exist; skipped.`);
        }
      } else {
        let what = "not a regular file";
        try {
          what = fileTypeWords(fs.lstatSync(p));
        } catch {
          /* vanished: the generic words do */
        }
        out.skipped.push(`${rel(p)} is ${what}, not a regular file; skipped (cassperf never reads pipes or devices: they can block forever).`);
      }
    }
  }
  out.files.sort();
  return out;
}

/**
 * Classify one file of a folder, or undefined (with a note in `skipped`) when it vanished between
 * the walk and now.
 */
function classifyFile(abs: string, relToNode: string, node: string, rel: string, skipped: string[], notes: string[]): SourceFile | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    if (vanished(e)) skipped.push(`${rel} vanished while the folder was being read (rotated or moved away); skipped.`);
    else return { node, path: abs, rel, kind: "unreadable", size: 0, note: why(e) };
    return undefined;
  }
  if (!st.isFile()) {
    skipped.push(`${rel} is ${fileTypeWords(st)}, not a regular file; skipped.`);
    return undefined;
  }
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    return { node, path: abs, rel, kind: "unreadable", size: st.size, note: "permission denied" };
  }
  let c = classifyByName(relToNode);
  const compressed = c?.compressed;
  if (!compressed && st.size > 0) {
    // One read: 8 KiB decide binary or not; a file no name rule knows needs 64 KiB for its content.
    let sample: Buffer;
    try {
      sample = readHead(abs, c ? 8192 : 64 * 1024);
    } catch (e) {
      if (vanished(e)) {
        skipped.push(`${rel} vanished while the folder was being read (rotated or moved away); skipped.`);
        return undefined;
      }
      return { node, path: abs, rel, kind: "unreadable", size: st.size, note: why(e) };
    }
    if (looksBinary(sample.subarray(0, 8192))) {
      const base: SourceFile = {
        node,
        path: abs,
        rel,
        kind: "unreadable",
        size: st.size,
        note: c ? `named like ${c.kind} but the content is binary` : "binary content",
      };
      // A binary file that no rule names (an image, a .pid) is only unrecognized, not a problem.
      return c ? base : { ...base, kind: "unrecognized" };
    }
    if (!c) c = classifyByContent(sample.toString("utf8"));
    else if (c.kind === "nodetool") {
      // A nodetool output saved under another command's name: read it as what it is, and say so.
      const other = nodetoolMismatch(c.command, sample.toString("utf8"));
      if (other) {
        notes.push(`${rel} is named like nodetool ${c.command} but holds nodetool ${other} output; read as ${other}.`);
        return { node, path: abs, rel, kind: "nodetool", command: other, size: st.size, note: `named like nodetool ${c.command}, holds ${other} output` };
      }
    }
  }
  if (!c) return { node, path: abs, rel, kind: "unrecognized", size: st.size };
  return {
    node,
    path: abs,
    rel,
    kind: c.kind,
    size: st.size,
    ...(c.command ? { command: c.command } : {}),
    ...(c.compressed ? { compressed: c.compressed } : {}),
    ...(c.rotation !== undefined ? { rotation: c.rotation } : {}),
  };
}

function findNodesDir(root: string): string | undefined {
  if (isDir(path.join(root, "nodes"))) return root;
  let subs: fs.Dirent[];
  try {
    subs = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory());
  } catch {
    return undefined;
  }
  if (subs.length === 1 && isDir(path.join(root, subs[0].name, "nodes"))) return path.join(root, subs[0].name);
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A nodetool output saved under another command's name is often a second copy of an output the
 * node already has under the right name (cfhistograms saved twice, once as proxyhistograms):
 * reading both would count that node twice, so a byte-identical copy is set aside, and said so.
 */
function dropCopies(files: SourceFile[], notes: string[]): void {
  for (const f of files) {
    if (f.kind !== "nodetool" || !f.note?.startsWith("named like")) continue;
    const twin = files.find((o) => o !== f && o.kind === "nodetool" && o.node === f.node && o.command === f.command && o.size === f.size && !o.note);
    if (!twin) continue;
    try {
      if (!sameBytes(f.path, twin.path)) continue;
    } catch {
      continue;
    }
    f.kind = "unrecognized";
    f.note = `a copy of ${twin.rel}`;
    const said = notes.findIndex((n) => n.startsWith(`${f.rel} is named like`));
    if (said >= 0) notes.splice(said, 1);
    notes.push(`${f.rel} is a byte-for-byte copy of ${twin.rel}; read once, as ${twin.rel}.`);
  }
}

/** True when two files hold the same bytes, compared 1 MiB at a time (no whole-file buffer, whatever their size). */
function sameBytes(a: string, b: string): boolean {
  const BLOCK = 2 ** 20;
  const fa = fs.openSync(a, "r");
  try {
    const fb = fs.openSync(b, "r");
    try {
      const ba = Buffer.allocUnsafe(BLOCK);
      const bb = Buffer.allocUnsafe(BLOCK);
      for (let pos = 0; ; pos += BLOCK) {
        const na = fs.readSync(fa, ba, 0, BLOCK, pos);
        const nb = fs.readSync(fb, bb, 0, BLOCK, pos);
        if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
        if (na === 0) return true;
      }
    } finally {
      fs.closeSync(fb);
    }
  } finally {
    fs.closeSync(fa);
  }
}

/** At most `max` notes of one kind, then one line saying how many more. */
function capped(notes: string[], max = 20): string[] {
  return notes.length <= max ? notes : [...notes.slice(0, max), `… and ${notes.length - max} more like these (see inventory() for every file).`];
}

async function openFolder(input: string, abs: string, archive?: string, maxReadBytes?: number): Promise<RecordedSource> {
  const walked = walk(abs);
  const all = walked.files;
  if (all.length === 0 && walked.unlisted.length === 0)
    throw new CassperfError(`open: ${input} is ${archive ? "an archive with no files" : "an empty folder"}; expected ${EXPECTED}.`);

  // One wrapping folder (typical of archives) around a dataset: step into it.
  let root = abs;
  if (!fs.existsSync(path.join(root, "cassperf.json"))) {
    let subs: fs.Dirent[] = [];
    try {
      subs = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      /* listed as unreadable below */
    }
    if (subs.length === 1 && subs[0].isDirectory() && fs.existsSync(path.join(root, subs[0].name, "cassperf.json"))) root = path.join(root, subs[0].name);
  }
  let manifest: DatasetManifest | undefined;
  const manifestNotes: string[] = [];
  const manifestPath = path.join(root, "cassperf.json");
  const manifestName = archive ? `${input}: ${toRel(abs, manifestPath)}` : path.relative(process.cwd(), manifestPath) || manifestPath;
  if (fs.existsSync(manifestPath)) {
    let text: string;
    try {
      text = fs.readFileSync(manifestPath, "utf8");
    } catch (e) {
      throw new CassperfError(`open: ${manifestName} could not be read (${why(e)}); expected a cassperf dataset manifest.`);
    }
    const parsed = parseManifest(text, manifestName, "cassperf.json");
    manifest = parsed.manifest;
    manifestNotes.push(...parsed.notes);
  }
  const bundleRoot = findNodesDir(root);
  const inRoot = (list: string[], from: string) => (from === abs ? list : list.filter((f) => f.startsWith(from + path.sep)));
  const files: SourceFile[] = [];
  const skipped = walked.skipped;
  const notes: string[] = [];
  // Node and path of a file (or an unlisted folder) by the layout's rules; undefined for files beside nodes/.
  const place = (abs2: string, isDirEntry: boolean): { node: string; relToNode: string } | undefined => {
    if (bundleRoot) {
      const nodesDir = path.join(bundleRoot, "nodes");
      if (abs2.startsWith(nodesDir + path.sep)) {
        const inside = path.relative(nodesDir, abs2).split(path.sep);
        if (inside.length < 2 && !isDirEntry) return undefined;
        return { node: inside[0], relToNode: inside.slice(1).join("/") };
      }
      // Cluster-level files of a dataset (traces/, schema.cql, bench/) or of a bundle.
      return { node: "", relToNode: toRel(bundleRoot, abs2) };
    }
    // Loose folder: top-level files belong to a node named after the folder; sub-folders are nodes.
    const folderNode = path.basename(input.replace(/[/\\]+$/, "")) || "node";
    const rel = toRel(root, abs2);
    const parts = rel.split("/");
    const isClusterLevel = /^(traces|bench)\//.test(rel) || rel === "schema.cql" || rel === "cassperf.json";
    const node = isClusterLevel ? "" : parts.length === 1 && !isDirEntry ? folderNode : parts[0];
    return { node, relToNode: parts.length === 1 || isClusterLevel ? rel : parts.slice(1).join("/") };
  };
  for (const abs2 of inRoot(all, bundleRoot ?? root)) {
    const where = place(abs2, false);
    if (!where) continue;
    const f = classifyFile(abs2, where.relToNode, where.node, toRel(root, abs2), skipped, notes);
    if (f) files.push(f);
  }
  // Folders that could not be listed: an unreadable entry each, so their node stays in nodes() and the
  // inventory and every report say what is missing.
  for (const u of walked.unlisted) {
    const where = u.dir === abs ? undefined : place(u.dir, true);
    if (u.dir === abs) throw new CassperfError(`open: ${input} cannot be listed (${u.why}); expected ${EXPECTED}.`);
    files.push({
      node: where?.node ?? "",
      path: u.dir,
      rel: toRel(root, u.dir) + "/",
      kind: "unreadable",
      size: 0,
      note: `${u.why}; the folder could not be listed`,
    });
  }
  dropCopies(files, notes);
  const unreadable = files.filter((f) => f.kind === "unreadable");
  const lost = unreadable.map((f) => `${f.rel} could not be read (${f.note ?? "unreadable"}); what it holds is missing from this report.`);
  if (manifest)
    manifestNotes.push(
      ...(await verifyManifestFiles(
        manifest,
        root,
        inRoot(all, root).map((f) => toRel(root, f)),
        "cassperf.json",
      )),
    );

  const known = files.filter((f) => f.kind !== "unrecognized" && f.kind !== "unreadable" && f.kind !== "manifest");
  if (known.length === 0 && !manifest) {
    const sample = files
      .slice(0, 5)
      .map((f) => f.rel)
      .join(", ");
    const cannot = `${unreadable.length} could not be read: ${unreadable
      .slice(0, 5)
      .map((f) => `${f.rel} (${f.note})`)
      .join(", ")}`;
    if (unreadable.length === files.length)
      throw new CassperfError(`open: ${input} holds nothing cassperf could read (${cannot}); expected ${EXPECTED}.`, {
        hint: "check the files' permissions, or copy them again",
      });
    throw new CassperfError(
      `open: ${input} holds nothing cassperf recognises (${files.length} files, e.g. ${sample}${unreadable.length ? `; ${cannot}` : ""}); expected ${EXPECTED}.`,
    );
  }
  const layout: RecordedLayout = manifest ? "dataset" : bundleRoot ? "bundle" : "folder";
  const sourceNotes = [...capped(lost), ...capped(skipped), ...capped(notes), ...capped(manifestNotes)];
  return new RecordedSource(input, root, layout, files, manifest, archive, sourceNotes, maxReadBytes);
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join("/");
}
