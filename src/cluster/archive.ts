/**
 * Safe archive handling: a diagnostic bundle arrives as .tar.gz or .zip from someone else's
 * machine, so every entry is checked before anything is written.
 *
 * Refused: entries with absolute paths or `..` segments (path traversal), symbolic or hard links
 * (a link can point outside the extraction folder), and archives whose uncompressed size passes
 * {@link ExtractLimits.maxBytes} or whose entry count passes {@link ExtractLimits.maxEntries}
 * (a decompression bomb). Extraction goes into a fresh temporary folder; on any error that folder
 * is removed, so nothing half-extracted is left behind.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { CassperfError } from "../errors";

/** Limits for archive extraction. */
export interface ExtractLimits {
  /**
   * Total uncompressed bytes allowed, summed over all entries. Default 4 GiB: larger than any
   * diagnostic bundle we have seen (the largest real ones are a few hundred MB), small enough
   * to refuse a bomb before it fills a disk.
   * @example open("bundle.tar.gz", { maxExtractBytes: 8 * 2 ** 30 })
   */
  maxBytes: number;
  /** Entry count allowed. Default 200,000. */
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 4 * 2 ** 30, maxEntries: 200_000 };

export type ArchiveType = "tar.gz" | "tar" | "zip" | "gz";

/** Recognise an archive from its first bytes (names lie; magic numbers rarely do). */
export function archiveType(file: string): ArchiveType | undefined {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      return /\.(tar\.gz|tgz)$/i.test(file) ? "tar.gz" : gzipHoldsTar(file) ? "tar.gz" : "gz";
    }
    if (n >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `bytes` of a file (fewer when it is shorter). */
export function readHead(file: string, bytes = 64 * 1024): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The start of a gzip file, decompressed: the first `bytes` of the file inflated as far as they
 * go (a cut-off stream is fine). Empty when the file cannot be read or is not gzip.
 */
export function gunzipHead(file: string, bytes: number): Buffer {
  try {
    return zlib.gunzipSync(readHead(file, bytes), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}

/** Peek into a gzip stream: does the first 512-byte block look like a tar header? */
function gzipHoldsTar(file: string): boolean {
  const out = gunzipHead(file, 64 * 1024);
  return out.length >= 262 && out.toString("latin1", 257, 262) === "ustar";
}

/** Why an entry name is unsafe, or undefined when it is fine. */
export function unsafeEntryReason(name: string): string | undefined {
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[a-zA-Z]:\//.test(n)) return "has an absolute path";
  if (n.split("/").includes("..")) return "contains '..' (path traversal)";
  return undefined;
}

/** A fresh temporary folder for an extraction, removed when the process exits. */
function freshTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-open-"));
  tempDirs.add(dir);
  return dir;
}
const tempDirs = new Set<string>();
process.once("exit", () => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Extract a .tar.gz/.tar/.zip into a new temporary folder and return that folder.
 * Throws a CassperfError naming the archive and the entry on any refusal or corruption.
 */
export async function extractArchive(file: string, type: ArchiveType, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<string> {
  const dir = freshTempDir();
  try {
    if (type === "zip") await extractZip(file, dir, limits);
    else if (type === "tar" || type === "tar.gz") await extractTar(file, dir, limits);
    else throw new CassperfError(`open: ${file} is a single gzip file, not an archive.`);
    return dir;
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
    throw e;
  }
}

function refuse(file: string, what: string, hint?: string): CassperfError {
  return new CassperfError(`open: refused ${file}: ${what}.`, { hint });
}

function bombMessage(file: string, limits: ExtractLimits, total: number): CassperfError {
  return refuse(
    file,
    `it would unpack to more than ${formatBytes(limits.maxBytes)} (at least ${formatBytes(total)}; a decompression bomb or a bundle larger than the limit)`,
    "raise the limit with open(path, { maxExtractBytes }) if you trust this archive",
  );
}

export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

async function extractTar(file: string, dir: string, limits: ExtractLimits): Promise<void> {
  const tar = require("tar") as typeof import("tar");
  // Pass 1: list and check every entry before writing anything.
  let total = 0;
  let count = 0;
  let problem: CassperfError | undefined;
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        if (problem) return;
        count++;
        const reason = unsafeEntryReason(entry.path);
        if (reason) problem = refuse(file, `entry "${entry.path}" ${reason}`);
        else if (entry.type === "SymbolicLink" || entry.type === "Link")
          problem = refuse(file, `entry "${entry.path}" is a link (to "${entry.linkpath}"); links are not extracted`);
        else if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "Directory" && entry.type !== "ContiguousFile" && !String(entry.type).includes("Header"))
          problem = refuse(file, `entry "${entry.path}" is a ${entry.type}, not a file or folder`);
        total += entry.size ?? 0;
        if (!problem && total > limits.maxBytes) problem = bombMessage(file, limits, total);
        if (!problem && count > limits.maxEntries) problem = refuse(file, `it holds more than ${limits.maxEntries} entries`);
      },
    });
  } catch (e) {
    if (problem) throw problem;
    throw new CassperfError(`open: ${file} is a truncated or corrupt archive (${(e as Error).message}).`, {
      hint: "copy the bundle again; nothing was extracted",
      cause: e,
    });
  }
  if (problem) throw problem;
  if (count === 0) throw new CassperfError(`open: ${file} is an empty or unreadable tar archive.`);
  // Pass 2: extract. strict makes any warning (a truncated entry) an error.
  try {
    await tar.x({ file, cwd: dir, strict: true, preservePaths: false, noChmod: true, filter: (_p, entry) => !("type" in entry) || (entry.type !== "SymbolicLink" && entry.type !== "Link") });
  } catch (e) {
    throw new CassperfError(`open: ${file} is a truncated or corrupt archive (${(e as Error).message}).`, {
      hint: "copy the bundle again; nothing was extracted",
      cause: e,
    });
  }
}

async function extractZip(file: string, dir: string, limits: ExtractLimits): Promise<void> {
  const yauzl = require("yauzl") as typeof import("yauzl");
  const entries = await listZip(file);
  let total = 0;
  for (const e of entries) {
    const reason = unsafeEntryReason(e.fileName);
    if (reason) throw refuse(file, `entry "${e.fileName}" ${reason}`);
    const mode = (e.externalFileAttributes >>> 16) & 0o170000;
    if (mode === 0o120000) throw refuse(file, `entry "${e.fileName}" is a symbolic link; links are not extracted`);
    total += e.uncompressedSize;
    if (total > limits.maxBytes) throw bombMessage(file, limits, total);
  }
  if (entries.length > limits.maxEntries) throw refuse(file, `it holds more than ${limits.maxEntries} entries`);
  if (entries.length === 0) throw new CassperfError(`open: ${file} is an empty zip archive.`);
  // Extract, counting real bytes as they come (the sizes in a zip's directory can lie).
  const zip2 = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  let written = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      zip2.close();
      reject(err instanceof CassperfError ? err : new CassperfError(`open: ${file} is a truncated or corrupt zip archive (${err.message}).`, { cause: err }));
    };
    zip2.on("error", fail);
    zip2.on("end", () => resolve());
    zip2.on("entry", (e: import("yauzl").Entry) => {
      const target = path.join(dir, e.fileName);
      if (e.fileName.endsWith("/")) {
        fs.mkdirSync(target, { recursive: true });
        zip2.readEntry();
        return;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      zip2.openReadStream(e, (err, stream) => {
        if (err || !stream) return fail(err ?? new Error("no stream"));
        const out = fs.createWriteStream(target);
        stream.on("data", (chunk: Buffer) => {
          written += chunk.length;
          if (written > limits.maxBytes) {
            stream.destroy();
            out.destroy();
            fail(bombMessage(file, limits, written));
          }
        });
        stream.on("error", fail);
        out.on("error", fail);
        out.on("finish", () => zip2.readEntry());
        stream.pipe(out);
      });
    });
    zip2.readEntry();
  });
}

/** Every entry of a zip, from its central directory (nothing is decompressed). */
async function listZip(file: string): Promise<import("yauzl").Entry[]> {
  const yauzl = require("yauzl") as typeof import("yauzl");
  const corrupt = (err: Error | null | undefined) => new CassperfError(`open: ${file} is a truncated or corrupt zip archive (${err?.message}).`, { cause: err });
  const zip = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, z) => (err || !z ? reject(corrupt(err)) : resolve(z))),
  );
  const entries: import("yauzl").Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (e: import("yauzl").Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.on("error", (err: Error) => reject(corrupt(err)));
    zip.readEntry();
  }).catch((e) => {
    zip.close();
    throw e;
  });
  return entries;
}

/** Names and uncompressed sizes of the entries in a zip (for deciding whether a .zip is one compressed log or a bundle). */
export async function zipEntryNames(file: string): Promise<{ name: string; size: number }[]> {
  return (await listZip(file)).map((e) => ({ name: e.fileName, size: e.uncompressedSize }));
}

/**
 * The first `bytes` of a single-entry .zip's file, as text: decompresses only that much (sniffing a
 * 47 MB zipped GC log must not unpack all of it). Empty when the zip cannot be read.
 */
export async function readZipHead(file: string, bytes = 64 * 1024): Promise<string> {
  const yauzl = require("yauzl") as typeof import("yauzl");
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return resolve("");
      const parts: Buffer[] = [];
      let have = 0;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        zip.close();
        resolve(Buffer.concat(parts).subarray(0, bytes).toString("utf8"));
      };
      zip.on("entry", (e: import("yauzl").Entry) => {
        if (e.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return done();
          stream.on("data", (c: Buffer) => {
            parts.push(c);
            have += c.length;
            if (have >= bytes) {
              stream.destroy();
              done();
            }
          });
          stream.on("end", done);
          stream.on("error", done);
        });
      });
      zip.on("end", done);
      zip.on("error", () => resolve(""));
      zip.readEntry();
    });
  });
}

/** The largest single text file read into memory (a V8 string cannot hold much more). */
export const MAX_TEXT_BYTES = 2 ** 30;

/** Read the text of a plain, .gz or single-entry .zip file. */
export async function readCompressedText(file: string, compressed?: "gz" | "zip"): Promise<string> {
  if (!compressed) return fs.promises.readFile(file, "utf8");
  if (compressed === "gz") {
    const buf = await fs.promises.readFile(file);
    try {
      // A single log is held in memory as one string; past 1 GiB that fails anyway, so say so clearly.
      return zlib.gunzipSync(buf, { maxOutputLength: MAX_TEXT_BYTES }).toString("utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new CassperfError(`${file} unpacks to more than ${formatBytes(MAX_TEXT_BYTES)}; refused (split the file or unpack it yourself).`);
      throw new CassperfError(`${file} is a truncated or corrupt gzip file (${(e as Error).message}).`, { cause: e });
    }
  }
  const yauzl = require("yauzl") as typeof import("yauzl");
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new CassperfError(`${file} is a truncated or corrupt zip file (${err?.message}).`, { cause: err }));
      const parts: Buffer[] = [];
      zip.on("entry", (e: import("yauzl").Entry) => {
        if (e.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2);
          stream.on("data", (c: Buffer) => parts.push(c));
          stream.on("end", () => zip.readEntry());
          stream.on("error", reject);
        });
      });
      zip.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
      zip.on("error", (e2: Error) => reject(new CassperfError(`${file} is a truncated or corrupt zip file (${e2.message}).`, { cause: e2 })));
      zip.readEntry();
    });
  });
}
