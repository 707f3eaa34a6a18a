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
import { archiveType, DEFAULT_EXTRACT_LIMITS, extractArchive, formatBytes, gunzipHead, readCompressedText, readHead, readZipHead, zipEntryNames, type ExtractLimits } from "./archive";
import { classifyByContent, classifyByName, looksBinary, type Classified } from "./classify";
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

/** The manifest a cassperf dataset carries (cassperf.json). */
export interface DatasetManifest {
  format: "cassperf-dataset";
  version: 1;
  cluster_name?: string;
  /** Cassandra release version per node, as the node reported it. */
  cassandra_versions?: Record<string, string>;
  captured_at?: string;
  nodes?: string[];
  /** What was captured: "traces", "schema", "nodetool", "logs", "gc-logs", "bench", "stress". */
  captured?: string[];
  /** sha256 and size of each file, by path relative to the dataset. */
  files?: Record<string, { sha256: string; bytes: number }>;
  /** Anything the recorder wants to say (how it was made). */
  notes?: string;
  /** Files record() shortened to a size limit (very long lines cut, then first quarter + last three quarters, at line boundaries). */
  truncated?: Record<string, { original_bytes: number; kept_bytes: number; long_lines_cut?: number }>;
  /** Parts record() could not capture, one sentence each. */
  skipped?: string[];
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
  ) {}

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
      return await readCompressedText(file.path, file.compressed);
    } catch (e) {
      if (e instanceof CassperfError) throw e;
      throw new CassperfError(`cannot read ${file.rel} of ${this.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  describe(): string {
    const nodes = this.nodes();
    const what = { dataset: "cassperf dataset", bundle: "diagnostic bundle", folder: "folder", file: "file" }[this.layout];
    return `recorded ${what} ${this.name}${this.archive ? ` (${this.archive})` : ""}: ${plural(nodes.length, "node")} (${nodes.join(", ")}), ${plural(this.allFiles.length, "file")}`;
  }

  /** Plain description for JSON and for the REPL's `:source`. */
  toJSON() {
    return { kind: this.kind, name: this.name, layout: this.layout, nodes: this.nodes(), files: this.allFiles.length };
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
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    throw new CassperfError(`open: ${input} is not readable (permission denied); expected ${EXPECTED}.`);
  }
  if (st.isDirectory()) return openFolder(input, abs);

  const type = archiveType(abs);
  const limits: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS, ...(options.maxExtractBytes ? { maxBytes: options.maxExtractBytes } : {}) };
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
      return openSingleFile(input, abs, st, options, "zip", entries[0].name, head);
    }
  }
  if (type === "zip" || type === "tar" || type === "tar.gz") {
    const dir = await extractArchive(abs, type, limits);
    const src = await openFolder(input, dir, type);
    return src;
  }
  return openSingleFile(input, abs, st, options, type === "gz" ? "gz" : undefined);
}

function openSingleFile(input: string, abs: string, st: fs.Stats, options: OpenOptions, compressed?: "gz" | "zip", innerName?: string, zipHead?: string): RecordedSource {
  if (st.size === 0) throw new CassperfError(`open: ${input} is an empty file; expected ${EXPECTED}.`);
  const displayName = innerName ?? path.basename(abs).replace(/\.(gz|zip)$/i, "");
  let c: Classified | undefined = classifyByName(displayName);
  let head = zipHead ?? "";
  if (!compressed) {
    const sample = readHead(abs);
    if (looksBinary(sample)) throw new CassperfError(`open: ${input} is a binary file, not text; expected ${EXPECTED}.`);
    head = sample.toString("utf8");
  } else if (compressed === "gz") {
    head = gunzipHead(abs, 256 * 1024).subarray(0, 64 * 1024).toString("utf8");
  }
  if ((!c || c.kind === "unrecognized" || c.kind === "conf") && head) c = classifyByContent(head) ?? c;
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
  return new RecordedSource(input, path.dirname(abs), "file", [file]);
}

/** `.../nodes/<node>/...` -> `<node>`. */
function nodeFromPath(abs: string): string | undefined {
  const parts = abs.split(path.sep);
  const i = parts.lastIndexOf("nodes");
  return i >= 0 && i + 1 < parts.length - 1 ? parts[i + 1] : undefined;
}

// readHead lives in ./archive.ts (gunzipHead reads with it); still exported from here for its callers.
export { readHead };

/** Walk a folder: regular files only, never following links out of the root. */
function walk(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  let realRoot: string | undefined;
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.push(p);
      else if (e.isSymbolicLink()) {
        // Follow a link only when its target stays inside the root.
        try {
          const real = fs.realpathSync(p);
          realRoot ??= fs.realpathSync(root);
          if (real.startsWith(realRoot + path.sep) && fs.statSync(real).isFile()) out.push(p);
        } catch {
          /* dangling link: ignore */
        }
      }
    }
  }
  return out.sort();
}

function classifyFile(abs: string, relToNode: string, node: string, rel: string): SourceFile {
  const st = fs.statSync(abs);
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    return { node, path: abs, rel, kind: "unreadable", size: st.size, note: "permission denied" };
  }
  let c = classifyByName(relToNode);
  const compressed = c?.compressed;
  if (!compressed && st.size > 0) {
    // One read: 8 KiB decide binary or not; a file no name rule knows needs 64 KiB for its content.
    const sample = readHead(abs, c ? 8192 : 64 * 1024);
    if (looksBinary(sample.subarray(0, 8192))) {
      const base: SourceFile = { node, path: abs, rel, kind: "unreadable", size: st.size, note: c ? `named like ${c.kind} but the content is binary` : "binary content" };
      // A binary file that no rule names (an image, a .pid) is only unrecognized, not a problem.
      return c ? base : { ...base, kind: "unrecognized" };
    }
    if (!c) c = classifyByContent(sample.toString("utf8"));
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
  const subs = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory());
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

async function openFolder(input: string, abs: string, archive?: string): Promise<RecordedSource> {
  const all = walk(abs);
  if (all.length === 0) throw new CassperfError(`open: ${input} is ${archive ? "an archive with no files" : "an empty folder"}; expected ${EXPECTED}.`);

  // One wrapping folder (typical of archives) around a dataset: step into it.
  let root = abs;
  if (!fs.existsSync(path.join(root, "cassperf.json"))) {
    const subs = fs.readdirSync(root, { withFileTypes: true });
    if (subs.length === 1 && subs[0].isDirectory() && fs.existsSync(path.join(root, subs[0].name, "cassperf.json"))) root = path.join(root, subs[0].name);
  }
  let manifest: DatasetManifest | undefined;
  const manifestPath = path.join(root, "cassperf.json");
  if (fs.existsSync(manifestPath)) {
    try {
      manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as DatasetManifest;
    } catch (e) {
      throw new CassperfError(`open: ${path.relative(process.cwd(), manifestPath) || manifestPath} is not valid JSON (${(e as Error).message}); expected a cassperf dataset manifest.`);
    }
    if (manifest.format !== "cassperf-dataset") {
      throw new CassperfError(`open: ${manifestPath} has format ${JSON.stringify(manifest.format)}; expected "cassperf-dataset".`);
    }
  }
  const bundleRoot = findNodesDir(root);
  const files: SourceFile[] = [];
  if (bundleRoot) {
    const nodesDir = path.join(bundleRoot, "nodes");
    for (const abs2 of bundleRoot === abs ? all : walk(bundleRoot)) {
      const rel = toRel(root, abs2);
      if (abs2.startsWith(nodesDir + path.sep)) {
        const inside = path.relative(nodesDir, abs2).split(path.sep);
        const node = inside[0];
        if (inside.length < 2) continue;
        files.push(classifyFile(abs2, inside.slice(1).join("/"), node, rel));
      } else {
        // Cluster-level files of a dataset (traces/, schema.cql, bench/) or of a bundle.
        files.push(classifyFile(abs2, toRel(bundleRoot, abs2), "", rel));
      }
    }
  } else {
    // Loose folder: top-level files belong to a node named after the folder; sub-folders are nodes.
    const folderNode = path.basename(input.replace(/[/\\]+$/, "")) || "node";
    for (const abs2 of root === abs ? all : walk(root)) {
      const rel = toRel(root, abs2);
      const parts = rel.split("/");
      const isClusterLevel = /^(traces|bench)\//.test(rel) || rel === "schema.cql" || rel === "cassperf.json";
      const node = isClusterLevel ? "" : parts.length === 1 ? folderNode : parts[0];
      const relToNode = parts.length === 1 || isClusterLevel ? rel : parts.slice(1).join("/");
      files.push(classifyFile(abs2, relToNode, node, rel));
    }
  }
  const known = files.filter((f) => f.kind !== "unrecognized" && f.kind !== "unreadable" && f.kind !== "manifest");
  if (known.length === 0 && !manifest) {
    const sample = files.slice(0, 5).map((f) => f.rel).join(", ");
    throw new CassperfError(`open: ${input} holds nothing cassperf recognises (${files.length} files, e.g. ${sample}); expected ${EXPECTED}.`);
  }
  const layout: RecordedLayout = manifest ? "dataset" : bundleRoot ? "bundle" : "folder";
  return new RecordedSource(input, root, layout, files, manifest, archive);
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join("/");
}
