/**
 * The source model: what every helper reads from.
 *
 * A source is either live (a cluster reached through cassandra-driver) or recorded (a dataset
 * folder, a diagnostic bundle, an archive of one, or a single file). Both expose the same two
 * things helpers need: the nodes, and the files per node classified by kind. A live source adds
 * a driver client and a nodetool runner. Helpers ask for evidence through ./evidence.ts so that
 * one code path serves both.
 */

/** What a file is, decided by ./classify.ts. */
export type FileKind =
  | "system-log"
  | "debug-log"
  | "output-log"
  | "gc-log"
  | "nodetool"
  | "stress-output"
  | "trace-sessions"
  | "trace-events"
  | "trace-events-csv"
  | "trace-cqlsh"
  | "schema"
  | "bench-run"
  | "jmx-dump"
  | "jmx-json"
  | "conf"
  | "os-metrics"
  | "manifest"
  /** A file we do not use (kept in the inventory so nothing is silently ignored). */
  | "unrecognized"
  /** A file whose name promised text but whose content is binary or undecodable. */
  | "unreadable";

/** One file of a source, with the node it belongs to and its kind. */
export interface SourceFile {
  /** The node this file came from: the path segment after `nodes/`, or the name given for a single file. */
  node: string;
  /** Absolute path on disk (inside a temporary extraction folder for archives). */
  path: string;
  /** Path relative to the source root, with `/` separators: what reports cite as evidence. */
  rel: string;
  kind: FileKind;
  /** For kind "nodetool": the command, normalised (cfhistograms -> tablehistograms, cfstats -> tablestats). */
  command?: string;
  /** Byte size on disk (compressed size for .gz/.zip). */
  size: number;
  /** Compression the reader must undo. */
  compressed?: "gz" | "zip";
  /** Why a file is unreadable or unrecognized. */
  note?: string;
  /** For rotated logs: 0 for the live file, higher for older (gc.log.3 -> 3); used to read them in time order. */
  rotation?: number;
}

/** Filter for {@link Source.files}. Every field that is given must match. */
export interface FileFilter {
  kind?: FileKind | FileKind[];
  node?: string | string[];
  /** nodetool command (normalised), e.g. "tablehistograms". */
  command?: string | string[];
}

/** What every source offers. */
export interface Source {
  /** "live" for a connected cluster, "recorded" for anything opened from disk. */
  readonly kind: "live" | "recorded";
  /** A short human name: the folder or file opened, or the contact points. */
  readonly name: string;
  /** Node names (addresses for live sources, folder names for recorded ones). */
  nodes(): string[];
  /** Files of this source, optionally filtered; recorded sources list everything they found. */
  files(filter?: FileFilter): SourceFile[];
  /** Read a file's text, undoing .gz/.zip compression. */
  readText(file: SourceFile): Promise<string>;
  /**
   * Read a file as blocks of whole lines (about 1 MiB each), undoing .gz/.zip compression: for
   * parsers of files of any size (no whole-file string). Stops at `signal`.
   */
  readLineBlocks(file: SourceFile, options?: { signal?: AbortSignal }): AsyncIterable<string>;
  /** One line a person can read: what this source is. */
  describe(): string;
}

/** Apply a {@link FileFilter} to a list of files. */
export function filterFiles(files: SourceFile[], filter: FileFilter = {}): SourceFile[] {
  const asSet = (v: string | string[] | undefined) => (v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]));
  const kinds = asSet(filter.kind);
  const nodes = asSet(filter.node);
  const commands = asSet(filter.command);
  return files.filter(
    (f) => (!kinds || kinds.has(f.kind)) && (!nodes || nodes.has(f.node)) && (!commands || (f.command !== undefined && commands.has(f.command))),
  );
}
