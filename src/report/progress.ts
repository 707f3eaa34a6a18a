/**
 * Files and bytes done while `cassperf report` reads a source, for its progress bar on stderr.
 *
 * Every read a helper makes through the source (readText, readLineBlocks) is counted: a file is
 * done when the first helper has read it to its end, and while one is being read its text so far
 * counts (capped at its size on disk). logs() reads its files in worker threads, outside the
 * source: its own progress (files done of total) marks the log files done when it has read them
 * all. When the report is built every file is done. Bytes are the files' sizes on disk (what
 * `ls -l` says), so the last figure is the source's total.
 */
import type { Source, SourceFile } from "../cluster/source";

/** One progress figure: files and bytes done of the source's total, and the rate so far. */
export interface ReadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes done per second since the tracker started. */
  bytesPerSecond: number;
}

/**
 * Tracks what has been read of a source's files.
 * @example const t = new ReadTracker(source.files(), (p) => console.error(p.bytesDone)); const counted = t.wrap(source);
 */
export class ReadTracker {
  private readonly size = new Map<string, number>();
  private readonly partial = new Map<string, number>();
  private readonly done = new Set<string>();
  private readonly bytesTotal: number;
  private readonly started = Date.now();

  constructor(
    private readonly files: SourceFile[],
    private readonly onProgress: (p: ReadProgress) => void,
  ) {
    for (const f of files) this.size.set(f.path, f.size || 0);
    this.bytesTotal = files.reduce((a, f) => a + (f.size || 0), 0);
  }

  /** The figures now. */
  progress(): ReadProgress {
    let bytes = 0;
    for (const p of this.done) bytes += this.size.get(p) ?? 0;
    for (const [p, n] of this.partial) if (!this.done.has(p)) bytes += n;
    const s = Math.max(0.001, (Date.now() - this.started) / 1000);
    return { filesDone: this.done.size, filesTotal: this.size.size, bytesDone: bytes, bytesTotal: this.bytesTotal, bytesPerSecond: bytes / s };
  }

  private read(file: SourceFile, chars: number): void {
    if (!this.size.has(file.path) || this.done.has(file.path)) return;
    const cap = this.size.get(file.path) ?? 0;
    this.partial.set(file.path, Math.max(this.partial.get(file.path) ?? 0, Math.min(cap, chars)));
    this.onProgress(this.progress());
  }

  /** Mark files done (read to their end by someone). */
  markDone(files: SourceFile[]): void {
    let changed = false;
    for (const f of files) if (this.size.has(f.path) && !this.done.has(f.path)) this.done.add(f.path), (changed = true);
    if (changed) this.onProgress(this.progress());
  }

  /** Every file done: the report is built. */
  finish(): void {
    this.markDone(this.files);
  }

  /** The source with its reads counted (every other member is the source's own). */
  wrap(source: Source): Source {
    const self = this;
    return new Proxy(source, {
      get(target, key) {
        if (key === "readText")
          return async (file: SourceFile) => {
            const text = await target.readText(file);
            self.markDone([file]);
            return text;
          };
        if (key === "readLineBlocks")
          return (file: SourceFile, options?: { signal?: AbortSignal }) =>
            (async function* () {
              let chars = 0;
              for await (const block of target.readLineBlocks(file, options)) {
                chars += block.length;
                self.read(file, chars);
                yield block;
              }
              self.markDone([file]);
            })();
        const v = Reflect.get(target, key, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }
}
