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
import { constants as bufferConstants } from "node:buffer";
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

/**
 * Recognise an archive from its first bytes (names lie; magic numbers rarely do). A gzip file is a
 * .tar.gz when its first block is a tar header; gzip of plain text is a single compressed file
 * ("gz") whatever its name says, so a misnamed `system.log.tar.gz` opens as the log it is. A gzip
 * whose start cannot be inflated stays a .tar.gz when named so (extraction then names the damage).
 */
export function archiveType(file: string): ArchiveType | undefined {
  const head = readHead(file, 512);
  const n = head.length;
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const inner = gunzipHead(file, 64 * 1024);
    if (inner.length >= 262 && inner.toString("latin1", 257, 262) === "ustar") return "tar.gz";
    const namedTar = /\.(tar\.gz|tgz)$/i.test(file);
    if (namedTar && (inner.length === 0 || inner.subarray(0, 512).includes(0))) return "tar.gz";
    return "gz";
  }
  if (n >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
  return undefined;
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
 * The start of a gzip file, decompressed: at most the first `bytes` of the file, inflated as far as
 * they go (a cut-off stream is fine). Tried on 4 KiB of input first, then more until `want` bytes
 * come out: deflate can expand 1032:1, so inflating a fixed 256 KiB of a bomb would make 256 MiB
 * in one synchronous call just to sniff it. Empty when the file cannot be read or is not gzip.
 */
export function gunzipHead(file: string, bytes: number, want = 64 * 1024): Buffer {
  let out = Buffer.alloc(0);
  for (let n = Math.min(4096, bytes); ; n = Math.min(n * 4, bytes)) {
    let input: Buffer;
    try {
      input = readHead(file, n);
      out = zlib.gunzipSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return out;
    }
    if (out.length >= want || input.length < n || n >= bytes) return out;
  }
}

/** Why an entry name is unsafe, or undefined when it is fine. */
export function unsafeEntryReason(name: string): string | undefined {
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[a-zA-Z]:\//.test(n)) return "has an absolute path";
  if (n.split("/").includes("..")) return "contains '..' (path traversal)";
  return undefined;
}

/** A fresh temporary folder for an extraction, removed when the process exits or is killed by a signal. */
function freshTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-open-"));
  tempDirs.add(dir);
  watchExit();
  return dir;
}
const tempDirs = new Set<string>();

/** Remove every extraction folder this process made (at exit, or on a signal that ends it). */
export function removeTempDirs(): void {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

/** Signals that end a process by default and that a terminal, a supervisor or `kill` sends. */
const ENDING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let watching = false;

/**
 * Remove the extraction folders at exit and on SIGINT/SIGTERM/SIGHUP. A listener on a signal
 * turns off node's default "exit on this signal", so when ours is the only listener it removes
 * the folders, takes itself off and raises the signal again: the process still ends by that
 * signal (exit status 128+n, as the shell and supervisors expect). When the program has its own
 * listener (the REPL's Ctrl-C cancels a scan; a kernel's SIGINT interrupts a cell), the signal
 * does not end the process, so the folders stay (the open source still reads them) and go at exit.
 */
function watchExit(): void {
  if (watching) return;
  watching = true;
  process.once("exit", removeTempDirs);
  for (const sig of ENDING_SIGNALS) {
    const onSignal = () => {
      if (process.listenerCount(sig) > 1) return;
      removeTempDirs();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/**
 * Extract a .tar.gz/.tar/.zip into a new temporary folder and return that folder.
 * Throws a CassperfError naming the archive and the entry on any refusal or corruption.
 */
export async function extractArchive(file: string, type: ArchiveType, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<string> {
  const dir = freshTempDir();
  try {
    if (type === "zip") await extractZip(file, dir, limits);
    else if (type === "tar" || type === "tar.gz") await extractTar(file, dir, limits, type === "tar.gz");
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

function bombMessage(file: string, limits: ExtractLimits, total: number, entry?: string): CassperfError {
  return refuse(
    file,
    `it would unpack to more than ${formatBytes(limits.maxBytes)} (at least ${formatBytes(total)}${entry ? ` by entry "${entry}"` : ""}; a decompression bomb or a bundle larger than the limit)`,
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

/**
 * Extract a .tar/.tar.gz in one streaming pass: file → gunzip → tar parser → one write stream per
 * entry, with backpressure all the way, so memory stays flat whatever the archive unpacks to.
 * Every entry is checked before its first byte is written (unsafe path, link, device, entry
 * count, and the running byte count against the limit: a tar header's size is exactly what its
 * entry unpacks to, so a bomb is refused at its header, before any of it is inflated). On any
 * refusal the streams are torn down and the caller removes the folder.
 */
async function extractTar(file: string, dir: string, limits: ExtractLimits, gzip: boolean): Promise<void> {
  const tar = require("tar") as typeof import("tar");
  let total = 0;
  let count = 0;
  let failed = false;
  const writes: Promise<void>[] = [];
  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(file);
    const gunzip = gzip ? zlib.createGunzip({ chunkSize: 256 * 1024 }) : undefined;
    const parser = new tar.Parser({ strict: true });
    const fail = (err: CassperfError) => {
      if (failed) return;
      failed = true;
      input.destroy();
      gunzip?.destroy();
      reject(err);
    };
    const corrupt = (what: string) => (e: Error) => fail(corruptArchive(file, what, e));
    parser.on("entry", (entry: import("tar").ReadEntry) => {
      if (failed) return entry.resume();
      count++;
      const reason = unsafeEntryReason(entry.path);
      if (count > limits.maxEntries) return fail(refuse(file, `it holds more than ${limits.maxEntries} entries`));
      if (reason) return fail(refuse(file, `entry "${entry.path}" ${reason}`));
      if (entry.type === "SymbolicLink" || entry.type === "Link")
        return fail(refuse(file, `entry "${entry.path}" is a link (to "${entry.linkpath}"); links are not extracted`));
      const target = path.join(dir, entry.path);
      if (entry.type === "Directory") {
        try {
          fs.mkdirSync(target, { recursive: true });
        } catch (e) {
          return fail(clash(file, entry.path, e as Error));
        }
        return entry.resume();
      }
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile")
        return fail(refuse(file, `entry "${entry.path}" is a ${entry.type}, not a file or folder`));
      total += entry.size ?? 0;
      if (total > limits.maxBytes) return fail(bombMessage(file, limits, total, entry.path));
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
      } catch (e) {
        return fail(clash(file, entry.path, e as Error));
      }
      const out = fs.createWriteStream(target);
      writes.push(
        new Promise<void>((done) => {
          out.on("close", done);
          out.on("error", (e) => {
            done();
            fail(clash(file, entry.path, e));
          });
        }),
      );
      entry.pipe(out);
    });
    parser.on("error", corrupt("the tar stream"));
    input.on("error", (e) => fail(new CassperfError(`open: cannot read ${file} (${e.message}).`, { cause: e })));
    gunzip?.on("error", corrupt("the gzip stream"));
    parser.on("end", () => resolve());
    (gunzip ? input.pipe(gunzip) : input).pipe(parser as unknown as NodeJS.WritableStream);
  });
  await Promise.all(writes);
  if (count === 0) throw new CassperfError(`open: ${file} is an empty tar archive (no entries).`);
}

/** The error for an entry that cannot be placed: a file and a folder of the same name (nodes/n1 and nodes/n1/x), or a full disk. */
function clash(file: string, entry: string, e: Error): CassperfError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR")
    return refuse(file, `entry "${entry}" collides with another entry of the same name (a file and a folder at once)`);
  return new CassperfError(`open: cannot extract entry "${entry}" of ${file} (${e.message}).`, { cause: e });
}

/** The error for an archive that ends early or whose bytes are damaged (the only case where copying it again helps). */
function corruptArchive(file: string, where: string, e: Error): CassperfError {
  return new CassperfError(`open: ${file} is a truncated or corrupt archive (${where}: ${e.message}).`, {
    hint: "copy the bundle again; nothing was kept from it",
    cause: e,
  });
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
    if (total > limits.maxBytes) throw bombMessage(file, limits, total, e.fileName);
  }
  if (entries.length > limits.maxEntries) throw refuse(file, `it holds more than ${limits.maxEntries} entries`);
  if (entries.length === 0) throw new CassperfError(`open: ${file} is an empty zip archive.`);
  // Extract, counting real bytes as they come (the sizes in a zip's directory can lie).
  const zip2 = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  let written = 0;
  let failed = false;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      closeQuietly(zip2);
      reject(err instanceof CassperfError ? err : zipError(file, err));
    };
    zip2.on("error", fail);
    zip2.on("end", () => resolve());
    zip2.on("entry", (e: import("yauzl").Entry) => {
      const target = path.join(dir, e.fileName);
      try {
        fs.mkdirSync(e.fileName.endsWith("/") ? target : path.dirname(target), { recursive: true });
      } catch (err) {
        return fail(clash(file, e.fileName, err as Error));
      }
      if (e.fileName.endsWith("/")) return zip2.readEntry();
      zip2.openReadStream(e, (err, stream) => {
        if (err || !stream) return fail(err ?? new Error("no stream"));
        const out = fs.createWriteStream(target);
        stream.on("data", (chunk: Buffer) => {
          written += chunk.length;
          if (written > limits.maxBytes) {
            stream.destroy();
            out.destroy();
            fail(bombMessage(file, limits, written, e.fileName));
          }
        });
        stream.on("error", fail);
        out.on("error", (err) => {
          stream.destroy();
          fail(clash(file, e.fileName, err));
        });
        out.on("finish", () => zip2.readEntry());
        stream.pipe(out);
      });
    });
    zip2.readEntry();
  });
}

/** Close a yauzl zip that may already be closing (yauzl throws on a second close). */
function closeQuietly(zip: import("yauzl").ZipFile): void {
  try {
    if (zip.isOpen) zip.close();
  } catch {
    /* already closed */
  }
}

/** Every entry of a zip, from its central directory (nothing is decompressed). */
async function listZip(file: string): Promise<import("yauzl").Entry[]> {
  const yauzl = require("yauzl") as typeof import("yauzl");
  const corrupt = (err: Error | null | undefined) => zipError(file, err);
  const zip = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(corrupt(err)) : resolve(z),
    ),
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

/**
 * The error for a zip yauzl refused. yauzl checks entry names itself and stops with "absolute
 * path: x" or "invalid relative path: x" (yauzl's validateFileName): those are unsafe entries,
 * refused as such, not damage; anything else is a truncated or corrupt archive.
 */
function zipError(file: string, err: Error | null | undefined): CassperfError {
  const m = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(err?.message ?? "");
  if (m) {
    const why =
      m[1] === "absolute path"
        ? "has an absolute path"
        : m[1] === "invalid relative path"
          ? "contains '..' (path traversal)"
          : "contains a backslash in its name";
    return refuse(file, `entry "${m[2]}" ${why}`);
  }
  return new CassperfError(`open: ${file} is a truncated or corrupt zip archive (${err?.message}).`, {
    hint: "copy the bundle again; nothing was kept from it",
    cause: err,
  });
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
        closeQuietly(zip);
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

/**
 * The largest text cassperf reads into memory as one string: V8's longest string
 * (buffer.constants.MAX_STRING_LENGTH, 2^29−24 characters ≈ 512 MiB on 64-bit node). Counted in
 * bytes, so a file under it always fits (UTF-8 never has more characters than bytes). A longer
 * read would throw ERR_STRING_TOO_LONG, or abort the process past ~2 GiB of buffers.
 */
export const MAX_TEXT_BYTES = bufferConstants.MAX_STRING_LENGTH;

/** Options of {@link readCompressedText}. */
export interface ReadTextOptions {
  /** Stop past this many (unpacked) bytes; never more than {@link MAX_TEXT_BYTES}. */
  maxBytes?: number;
  /** How to name the file in messages (a bundle's name and the file's path in it); default the path. */
  name?: string;
}

/** What a thing on disk is, in words, for refusals ("a named pipe (FIFO)"). */
export function fileTypeWords(st: fs.Stats): string {
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isDirectory()) return "a folder";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/**
 * Refuse anything that is not a regular file: reading a named pipe blocks until some other
 * process writes to it (forever, with the event loop stuck in a synchronous read), and a device
 * never ends. `what` names the caller and what it expected ("importStress: expected ...").
 */
export function requireRegularFile(file: string, st: fs.Stats, who: string, expected: string): void {
  if (!st.isFile())
    throw new CassperfError(`${who}: ${file} is ${fileTypeWords(st)}, not a regular file; expected ${expected}.`, {
      hint: "pass a regular file or a folder; cassperf never reads pipes or devices (they can block forever)",
    });
}

function tooLarge(name: string, size: string, limit: number, userLimit: boolean): CassperfError {
  return new CassperfError(
    userLimit
      ? `${name} ${size}, past the limit of ${formatBytes(limit)} (open's maxExtractBytes); refused.`
      : `${name} ${size}: too large to read as one text (cassperf holds each file as one string, at most ${formatBytes(limit)}, V8's longest string); refused.`,
    {
      hint: userLimit
        ? "raise the limit with open(path, { maxExtractBytes }) if you trust this file"
        : "split the file (e.g. `split -C 256m gc.log gc.log.part.`) and open the folder of parts, or cut it to the time range you need",
    },
  );
}

/**
 * Read a plain file's text, synchronously, for helpers that take a path (importStress): regular
 * files only, at most {@link MAX_TEXT_BYTES}.
 */
export function readTextFileSync(file: string, who: string, expected: string): string {
  const st = fs.statSync(file);
  requireRegularFile(file, st, who, expected);
  if (st.size > MAX_TEXT_BYTES) throw tooLarge(`${who}: ${file}`, `is ${formatBytes(st.size)}`, MAX_TEXT_BYTES, false);
  return fs.readFileSync(file, "utf8");
}

/**
 * Read the text of a plain, .gz or .zip file (every file entry of a zip, in order). Compressed
 * files are inflated as streams with a running byte count that stops at the limit, so a small
 * file that unpacks to gigabytes costs no more memory than the limit; every failure is a
 * rejected promise with a CassperfError (never an exception thrown from a stream's handler).
 */
export async function readCompressedText(file: string, compressed?: "gz" | "zip", options: ReadTextOptions = {}): Promise<string> {
  const userLimit = options.maxBytes !== undefined && options.maxBytes < MAX_TEXT_BYTES;
  const limit = userLimit ? options.maxBytes! : MAX_TEXT_BYTES;
  const name = options.name ?? file;
  const st = await fs.promises.stat(file);
  requireRegularFile(name, st, "read", "a log or nodetool output file");
  if (!compressed) {
    if (st.size > limit) throw tooLarge(name, `is ${formatBytes(st.size)}`, limit, userLimit);
    try {
      return await fs.promises.readFile(file, "utf8");
    } catch (e) {
      // Grown past the limit since the stat (a live log being written).
      if ((e as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG") throw tooLarge(name, "grew past the limit while it was read", limit, userLimit);
      throw e;
    }
  }
  if (compressed === "gz") {
    const parts: Buffer[] = [];
    let have = 0;
    await new Promise<void>((resolve, reject) => {
      const input = fs.createReadStream(file);
      const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
      let failed = false;
      const fail = (e: CassperfError) => {
        if (failed) return;
        failed = true;
        input.destroy();
        gunzip.destroy();
        reject(e);
      };
      gunzip.on("data", (c: Buffer) => {
        have += c.length;
        if (have > limit) return fail(tooLarge(name, `unpacks to more than ${formatBytes(limit)}`, limit, userLimit));
        parts.push(c);
      });
      gunzip.on("end", () => resolve());
      gunzip.on("error", (e) =>
        fail(new CassperfError(`${name} is a truncated or corrupt gzip file (${e.message}).`, { hint: "copy the file again", cause: e })),
      );
      input.on("error", (e) => fail(new CassperfError(`cannot read ${name} (${e.message}).`, { cause: e })));
      input.pipe(gunzip);
    });
    return Buffer.concat(parts, have).toString("utf8");
  }
  const yauzl = require("yauzl") as typeof import("yauzl");
  const zip = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) =>
      err || !z
        ? reject(new CassperfError(`${name} is a truncated or corrupt zip file (${err?.message}).`, { hint: "copy the file again", cause: err }))
        : resolve(z),
    ),
  );
  const parts: Buffer[] = [];
  let have = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: CassperfError) => {
      if (failed) return;
      failed = true;
      closeQuietly(zip);
      reject(e);
    };
    const corrupt = (e: Error) => new CassperfError(`${name} is a truncated or corrupt zip file (${e.message}).`, { hint: "copy the file again", cause: e });
    zip.on("entry", (e: import("yauzl").Entry) => {
      if (failed) return;
      if (e.fileName.endsWith("/")) return zip.readEntry();
      // The directory's size first (refused before inflating anything), then the real bytes.
      if (have + e.uncompressedSize > limit)
        return fail(tooLarge(`${name}: entry "${e.fileName}"`, `unpacks to ${formatBytes(e.uncompressedSize)}`, limit, userLimit));
      zip.openReadStream(e, (err2, stream) => {
        if (err2 || !stream) return fail(corrupt(err2 ?? new Error("no stream")));
        stream.on("data", (c: Buffer) => {
          if (failed) return;
          have += c.length;
          if (have > limit) {
            stream.destroy();
            return fail(tooLarge(`${name}: entry "${e.fileName}"`, `unpacks to more than ${formatBytes(limit)}`, limit, userLimit));
          }
          parts.push(c);
        });
        stream.on("end", () => {
          if (!failed) zip.readEntry();
        });
        stream.on("error", (e3: Error) => fail(corrupt(e3)));
      });
    });
    zip.on("end", () => resolve());
    zip.on("error", (e2: Error) =>
      fail(e2.message.startsWith("absolute path") || e2.message.startsWith("invalid relative path") ? zipError(name, e2) : corrupt(e2)),
    );
    zip.readEntry();
  });
  return Buffer.concat(parts, have).toString("utf8");
}
