/**
 * Streaming reads of a source's files: the bytes of a plain file, a .gz, or a .zip's entries as
 * chunks, and those chunks as blocks of whole lines.
 *
 * Why: a file held as one string has a ceiling (V8's longest string, about 512 MiB) and costs its
 * whole size in memory at once. Read in blocks, a parser keeps only what it aggregates, so a
 * file's size has no ceiling and memory stays flat. A block is a string of whole lines (it ends
 * just after a "\n", except the file's last block), about {@link BLOCK_BYTES} long, so a parser
 * can split it with `indexOf("\n")` as it did the whole text, counting lines as it goes.
 *
 * Every failure is a thrown CassperfError from the iterator (never an exception from a stream's
 * handler); breaking out of a `for await` closes the file.
 */
import * as fs from "node:fs";
import { isAscii } from "node:buffer";
import { PassThrough } from "node:stream";
import { setImmediate as setImmediatePromise } from "node:timers/promises";
import * as zlib from "node:zlib";
import { CassperfError } from "../errors";
import { formatBytes, requireRegularFile } from "./archive";

/**
 * About how many bytes each block of lines holds: large enough that per-block costs vanish, small enough to stay out of the way of memory.
 * 64 KiB, not 1 MiB: read buffers and block strings this small are reused heap memory (under glibc's 128 KiB mmap threshold, V8's
 * young generation), while each 1 MiB buffer and string was fresh memory to fault in: reading and splitting the 47 MB bench:gc log
 * took 227-251 ms of CPU in 64 KiB blocks against 766-889 ms in 1 MiB blocks (a third of that in the kernel).
 */
export const BLOCK_BYTES = 64 * 1024;

/**
 * How many bytes a plain file is read synchronously before the reader lets the event loop turn (a macrotask: timers,
 * input, a cancel): 1 MiB, a few milliseconds of parsing.
 */
export const YIELD_EVERY_BYTES = 1024 * 1024;

/** The first block of a file is still about 1 MiB: parsers detect a file's layout or GC log dialect from it, as they always have. */
export const FIRST_BLOCK_BYTES = 1024 * 1024;

/** A line longer than this (64 MiB, far past any real log line) is handed on in pieces rather than gathered further. */
export const LONGEST_LINE = 64 * 1024 * 1024;

/** Options of {@link readChunks} and {@link readLineBlocks}. */
export interface StreamOptions {
  /** How to name the file in messages (a bundle's name and the file's path in it); default the path. */
  name?: string;
  /** Stop past this many unpacked bytes (open's maxExtractBytes); no limit when absent. */
  maxBytes?: number;
  /** Stops the read: the iterator throws the signal's reason at the next chunk. */
  signal?: AbortSignal;
  /** A byte range of a plain file, [start, end) (a chunk of a large log parsed on its own: ../analyze/logs/log-chunks.ts); refused for a compressed file. */
  range?: { start: number; end: number };
}

/**
 * The unpacked bytes of a file: plain, gzip ("gz") or every entry of a zip in order ("zip").
 * @example for await (const chunk of readChunks("gc.log.gz", "gz")) bytes += chunk.length;
 */
export async function* readChunks(file: string, compressed?: "gz" | "zip", options: StreamOptions = {}): AsyncGenerator<Buffer> {
  const name = options.name ?? file;
  const st = await fs.promises.stat(file);
  requireRegularFile(name, st, "read", "a log or nodetool output file");
  const limit = options.maxBytes;
  let have = 0;
  if (options.range && compressed) throw new CassperfError(`${name}: a byte range can only be read from a plain file, not a ${compressed} one.`);
  const count = (c: Buffer, what = name) => {
    options.signal?.throwIfAborted();
    have += c.length;
    if (limit !== undefined && have > limit)
      throw new CassperfError(`${what} unpacks to more than ${formatBytes(limit)}, past the limit of open's maxExtractBytes; refused.`, {
        hint: "raise the limit with open(path, { maxExtractBytes }) if you trust this file",
      });
  };
  if (!compressed) {
    if (limit !== undefined && st.size > limit)
      throw new CassperfError(`${name} is ${formatBytes(st.size)}, past the limit of ${formatBytes(limit)} (open's maxExtractBytes); refused.`, {
        hint: "raise the limit with open(path, { maxExtractBytes }) if you trust this file",
      });
    const r = options.range;
    if (r && r.end <= r.start) return;
    const input = fs.createReadStream(file, { highWaterMark: BLOCK_BYTES, ...(r ? { start: r.start, end: r.end - 1 } : {}) });
    try {
      for await (const c of input as AsyncIterable<Buffer>) {
        count(c);
        yield c;
      }
    } catch (e) {
      if (e instanceof CassperfError || (e as Error).name === "AbortError" || options.signal?.aborted) throw e;
      throw new CassperfError(`cannot read ${name} (${(e as Error).message}).`, { cause: e });
    } finally {
      input.destroy();
    }
    return;
  }
  if (compressed === "gz") {
    const input = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
    let readError: Error | undefined;
    input.on("error", (e) => {
      readError = e;
      gunzip.destroy(e);
    });
    input.pipe(gunzip);
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        count(c);
        yield c;
      }
    } catch (e) {
      if (e instanceof CassperfError || (e as Error).name === "AbortError" || options.signal?.aborted) throw e;
      if (readError) throw new CassperfError(`cannot read ${name} (${readError.message}).`, { cause: readError });
      throw new CassperfError(`${name} is a truncated or corrupt gzip file (${(e as Error).message}).`, { hint: "copy the file again", cause: e });
    } finally {
      input.destroy();
      gunzip.destroy();
    }
    return;
  }
  yield* zipChunks(file, name, count, options.signal);
}

/** The entries of a zip, one after another (folders skipped), through `count` for limits and cancel. */
async function* zipChunks(file: string, name: string, count: (c: Buffer, what?: string) => void, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const yauzl = require("yauzl") as typeof import("yauzl");
  const corrupt = (e: unknown) =>
    new CassperfError(`${name} is a truncated or corrupt zip file (${(e as Error)?.message}).`, { hint: "copy the file again", cause: e });
  const zip = await new Promise<import("yauzl").ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) => (err || !z ? reject(corrupt(err)) : resolve(z))),
  );
  // yauzl emits "entry"/"end"/"error" once per readEntry(): turn that into a promise per entry.
  const nextEntry = () =>
    new Promise<import("yauzl").Entry | undefined>((resolve, reject) => {
      const onEntry = (e: import("yauzl").Entry) => done(() => resolve(e));
      const onEnd = () => done(() => resolve(undefined));
      const onError = (e: Error) => done(() => reject(corrupt(e)));
      const done = (then: () => void) => {
        zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
        then();
      };
      zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
      zip.readEntry();
    });
  let lastByte = 0x0a;
  try {
    for (let entry = await nextEntry(); entry; entry = await nextEntry()) {
      if (entry.fileName.endsWith("/")) continue;
      // Entries follow one another; one that does not end its last line must not run into the next.
      if (lastByte !== 0x0a) yield Buffer.from("\n");
      const e = entry;
      const raw = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(e, (err, s) => (err || !s ? reject(corrupt(err)) : resolve(s))),
      );
      // yauzl's entry stream never ends under `for await` (seen with yauzl 3.2): piped through a
      // PassThrough, it does.
      const stream = new PassThrough();
      raw.on("error", (err: Error) => stream.destroy(err));
      raw.pipe(stream);
      try {
        for await (const c of stream as AsyncIterable<Buffer>) {
          count(c, `${name}: entry "${e.fileName}"`);
          if (c.length > 0) lastByte = c[c.length - 1]!;
          yield c;
        }
      } catch (err) {
        if (err instanceof CassperfError || (err as Error).name === "AbortError" || signal?.aborted) throw err;
        throw corrupt(err);
      } finally {
        stream.destroy();
        (raw as unknown as { destroy?: () => void }).destroy?.();
      }
    }
  } finally {
    try {
      if (zip.isOpen) zip.close();
    } catch {
      /* already closed */
    }
  }
}

/**
 * Chunks of bytes as blocks of whole lines (UTF-8, a character split between chunks is kept
 * whole). Each block but the last ends with "\n"; an empty input gives no block.
 *
 * Cut as bytes, decoded once per block: a "\n" byte is never part of a multi-byte UTF-8
 * character, so the bytes up to the last "\n" decode on their own. (Decoding every chunk with a
 * StringDecoder and cutting the joined string cost twice a readline count on a 47 MB GC log; so
 * did UTF-8 decoding of pure ASCII, which is why ASCII blocks are decoded as latin1.)
 * @example for await (const block of lineBlocks(readChunks("system.log"))) lines += block.split("\n").length - 1;
 */
export async function* lineBlocks(
  chunks: AsyncIterable<Buffer>,
  blockBytes = BLOCK_BYTES,
  firstBlockBytes = blockBytes === BLOCK_BYTES ? FIRST_BLOCK_BYTES : blockBytes,
): AsyncGenerator<string> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let want = firstBlockBytes;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes < want) continue;
    want = blockBytes;
    const buf = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    const cut = buf.lastIndexOf(10);
    if (cut < 0) {
      // One line longer than a block: keep gathering until it ends, up to a bound (a file with no
      // line breaks, a binary blob, must not grow without end); past it, the piece goes out as is,
      // cut before a character that is not whole yet.
      if (heldBytes < LONGEST_LINE) {
        held = [buf];
        continue;
      }
      const whole = wholeCharsEnd(buf);
      held = whole < buf.length ? [buf.subarray(whole)] : [];
      heldBytes = buf.length - whole;
      yield decode(buf, whole);
      continue;
    }
    held = cut + 1 < buf.length ? [buf.subarray(cut + 1)] : [];
    heldBytes = buf.length - cut - 1;
    yield decode(buf, cut + 1);
  }
  if (heldBytes > 0) {
    const rest = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    yield decode(rest, rest.length);
  }
}

/** The first `end` bytes as text: ASCII (most logs) as latin1, which is the same text and ten times cheaper than UTF-8 decoding. */
function decode(buf: Buffer, end: number): string {
  const part = end === buf.length ? buf : buf.subarray(0, end);
  return part.toString(isAscii(part) ? "latin1" : "utf8");
}

/** Where the last whole UTF-8 character of `buf` ends (a character cut at the end is left out). */
function wholeCharsEnd(buf: Buffer): number {
  let i = buf.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= need ? buf.length : i;
}

/**
 * A file as blocks of whole lines: {@link readChunks} through {@link lineBlocks}.
 * @example for await (const block of readLineBlocks("debug.log.zip", "zip")) parse(block);
 */
export function readLineBlocks(file: string, compressed?: "gz" | "zip", options: StreamOptions = {}): AsyncGenerator<string> {
  return compressed ? lineBlocks(readChunks(file, compressed, options)) : plainLineBlocks(file, options);
}

/**
 * A plain file's blocks of whole lines, the same blocks {@link lineBlocks} cuts from {@link readChunks}' chunks (first about
 * {@link FIRST_BLOCK_BYTES}, then {@link BLOCK_BYTES} more each, cut after the last "\n"), read into ONE reused buffer: the
 * part after the cut moves to its front, no chunk Buffer per read, no Buffer.concat copy, no stream. Reading and cutting the
 * three distinct files of bench:logs' 0.3 GB bundle (100 MB) took 160-170 ms of CPU this way against 280-450 ms through a
 * read stream and lineBlocks (node 20, 2 busy cores; --cpu-prof showed the copies in Buffer.concat and the chunk allocations).
 */
async function* plainLineBlocks(file: string, options: StreamOptions): AsyncGenerator<string> {
  const name = options.name ?? file;
  const st = await fs.promises.stat(file);
  requireRegularFile(name, st, "read", "a log or nodetool output file");
  const limit = options.maxBytes;
  if (limit !== undefined && st.size > limit)
    throw new CassperfError(`${name} is ${formatBytes(st.size)}, past the limit of ${formatBytes(limit)} (open's maxExtractBytes); refused.`, {
      hint: "raise the limit with open(path, { maxExtractBytes }) if you trust this file",
    });
  const r = options.range;
  if (r && r.end <= r.start) return;
  const signal = options.signal;
  let fh: fs.promises.FileHandle | undefined;
  const failed = (e: unknown) =>
    e instanceof CassperfError || (e as Error).name === "AbortError" || signal?.aborted
      ? e
      : new CassperfError(`cannot read ${name} (${(e as Error).message}).`, { cause: e });
  try {
    signal?.throwIfAborted();
    fh = await fs.promises.open(file, "r");
  } catch (e) {
    throw failed(e);
  }
  try {
    let buf = Buffer.allocUnsafe(FIRST_BLOCK_BYTES + BLOCK_BYTES);
    let have = 0;
    let need = FIRST_BLOCK_BYTES;
    let pos = r ? r.start : 0;
    const stop = r ? r.end : Infinity;
    let read = 0;
    let sinceYield = 0;
    for (;;) {
      const n = Math.min(need, stop - pos);
      if (have + n > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, have + n));
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      let bytesRead = 0;
      if (n > 0) {
        try {
          signal?.throwIfAborted();
          // A synchronous read: a block from the page cache is a copy of microseconds, while each awaited read paid a
          // promise and a thread-pool round trip (~4,600 per 300 MB in 64 KiB blocks): logs() of bench:logs' 0.3 GB bundle
          // took 6.4-7.0 s of CPU with awaited reads against 5.0-5.8 s with these (alternating, one thread, 2 busy cores).
          bytesRead = fs.readSync(fh.fd, buf, have, n, pos);
          // The event loop still turns every YIELD_EVERY_BYTES: the REPL redraws its progress and a cancel's signal is seen.
          if ((sinceYield += bytesRead) >= YIELD_EVERY_BYTES) {
            sinceYield = 0;
            await setImmediatePromise();
          }
          signal?.throwIfAborted();
        } catch (e) {
          throw failed(e);
        }
      }
      pos += bytesRead;
      read += bytesRead;
      if (limit !== undefined && read > limit)
        throw new CassperfError(`${name} unpacks to more than ${formatBytes(limit)}, past the limit of open's maxExtractBytes; refused.`, {
          hint: "raise the limit with open(path, { maxExtractBytes }) if you trust this file",
        });
      if (bytesRead === 0) {
        if (have > 0) yield decode(buf, have);
        return;
      }
      have += bytesRead;
      need -= bytesRead;
      if (need > 0) continue; // a short read: the rest of the block's bytes come next
      need = BLOCK_BYTES;
      const cut = buf.lastIndexOf(10, have - 1);
      let end: number;
      if (cut < 0) {
        // One line longer than a block: gathered up to LONGEST_LINE, then handed on cut before a character that is not whole yet (as lineBlocks).
        if (have < LONGEST_LINE) continue;
        end = wholeCharsEnd(buf.subarray(0, have));
      } else end = cut + 1;
      const block = decode(buf.subarray(0, have), end);
      buf.copy(buf, 0, end, have);
      have -= end;
      yield block;
    }
  } finally {
    await fh.close();
  }
}

/** A plain file's size in bytes. */
export async function fileSize(path: string): Promise<number> {
  return (await fs.promises.stat(path)).size;
}

/**
 * For each target offset (ascending), the byte offset of the first line that begins after a "\n" at
 * or past the target (never mid-line) and for which `starts(line)` holds, looked for within
 * `scanBytes`; offsets are strictly increasing, and a target with no such line gives none. Plain
 * files only (random access). Used to cut a large log at entry boundaries (../analyze/logs/log-chunks.ts).
 * @example await lineStartsAfter("system.log", size, [8 << 20, 16 << 20], 4 << 20, (l) => /^(INFO|WARN)/.test(l))
 */
export async function lineStartsAfter(path: string, size: number, targets: number[], scanBytes: number, starts: (line: string) => boolean): Promise<number[]> {
  const out: number[] = [];
  const fh = await fs.promises.open(path, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (const target of targets) {
      const from = Math.max(target - 1, (out.at(-1) ?? 0) + 1);
      const at = await firstStartingLine(fh, buf, from, Math.min(size, from + scanBytes), starts);
      if (at !== undefined && at > (out.at(-1) ?? 0) && at < size) out.push(at);
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** The offset of the first line after a "\n" at or past `from` for which `starts` holds, before `limit`. */
async function firstStartingLine(
  fh: fs.promises.FileHandle,
  buf: Buffer,
  from: number,
  limit: number,
  starts: (line: string) => boolean,
): Promise<number | undefined> {
  let pos = from;
  let carry: Buffer = Buffer.alloc(0);
  let carryAt = from;
  let seenNewline = false;
  while (pos < limit) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, limit - pos), pos);
    if (bytesRead === 0) break;
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
    const base = carry.length ? carryAt : pos;
    pos += bytesRead;
    let s = 0;
    if (!seenNewline) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        carry = Buffer.alloc(0);
        continue;
      }
      seenNewline = true;
      s = nl + 1;
    }
    for (;;) {
      const e = data.indexOf(10, s);
      if (e < 0) break;
      if (starts(data.subarray(s, e).toString("utf8"))) return base + s;
      s = e + 1;
    }
    carry = data.subarray(s);
    carryAt = base + s;
  }
  return undefined;
}
