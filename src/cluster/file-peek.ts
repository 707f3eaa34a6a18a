/**
 * Looking into a recorded file without reading it whole (the I/O edge for ./capabilities.ts
 * and ../analyze/inventory.ts, which import no node:fs): whether it contains one of some texts,
 * searched chunk by chunk; and windows of its bytes (a log's first and last KiBs for its time range).
 */
import * as fs from "node:fs";
import type { Source, SourceFile } from "./source";

const CHUNK = 4 * 2 ** 20;

/** Whether a file contains one of `texts`, case-insensitively (plain files are searched in 4 MiB chunks, compressed ones inflated block by block). */
export async function fileContains(source: Source, f: SourceFile, texts: string[]): Promise<boolean> {
  const lower = texts.map((t) => t.toLowerCase());
  if (f.compressed) {
    // Inflated block by block (blocks of whole lines: a text of one line is never cut in two), stopping at the first hit.
    try {
      for await (const block of source.readLineBlocks(f)) {
        const text = block.toLowerCase();
        if (lower.some((t) => text.includes(t))) return true;
      }
    } catch {
      return false;
    }
    return false;
  }
  let fd: number;
  try {
    fd = fs.openSync(f.path, "r");
  } catch {
    return false;
  }
  try {
    const overlap = Math.max(...lower.map((t) => t.length));
    const buf = Buffer.alloc(CHUNK);
    let pos = 0;
    let tail = "";
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) return false;
      const text = tail + buf.toString("latin1", 0, n).toLowerCase();
      if (lower.some((t) => text.includes(t))) return true;
      pos += n;
      tail = text.slice(-overlap);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Open a plain file and hand `look` a reader of byte windows (`read(from, n)`, UTF-8); undefined when
 * the file cannot be opened (gone or unreadable since open()). The file is closed after.
 * @example withFileWindows(f.path, (read) => read(0, 16384))
 */
export function withFileWindows<T>(file: string, look: (read: (from: number, n: number) => string) => T): T | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  const read = (from: number, n: number) => {
    const b = Buffer.alloc(n);
    fs.readSync(fd, b, 0, n, from);
    return b.toString("utf8");
  };
  try {
    return look(read);
  } finally {
    fs.closeSync(fd);
  }
}
