/**
 * Hostile archives built on the spot, small on disk and huge unpacked, for test/archive-safety.test.ts.
 *
 * Written byte by byte from the formats' specifications (no archiver can be made to write a lying
 * or gigabyte-sized entry quickly):
 *  - gzip (RFC 1952 §2.2): a gzip file may hold several members one after another, and gunzip
 *    unpacks them as one stream, so a multi-GiB stream is the same 64 KiB member written many times;
 *  - raw deflate (RFC 1951): a block ended with a full flush is byte-aligned and needs no earlier
 *    data, so one compressed MiB repeated N times, then an empty final block, inflates to N MiB;
 *  - zip (PKWARE APPNOTE.TXT §4.3): local header + data + central directory + end record, no zip64
 *    (every size here is under 4 GiB);
 *  - tar (POSIX ustar): node-tar's Header encodes the 512-byte header; the body is the gzip members.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";

/** A .tar.gz with one entry of `bytes` zeros (plus header and end blocks), a few MB on disk. */
export function zerosTarGz(out: string, entries: { name: string; bytes: number }[]): void {
  const tar = require("tar") as typeof import("tar");
  const fd = fs.openSync(out, "w");
  const chunk = 64 * 2 ** 20;
  const zeros = zlib.gzipSync(Buffer.alloc(chunk), { level: 9 });
  try {
    for (const e of entries) {
      const block = Buffer.alloc(512);
      new tar.Header({ path: e.name, mode: 0o644, size: e.bytes, mtime: new Date(0), type: "File", uid: 0, gid: 0 } as never).encode(block, 0);
      fs.writeSync(fd, zlib.gzipSync(block));
      let left = e.bytes;
      for (; left >= chunk; left -= chunk) fs.writeSync(fd, zeros);
      const pad = (512 - (e.bytes % 512)) % 512;
      if (left + pad) fs.writeSync(fd, zlib.gzipSync(Buffer.alloc(left + pad)));
    }
    fs.writeSync(fd, zlib.gzipSync(Buffer.alloc(1024)));
  } finally {
    fs.closeSync(fd);
  }
}

/** A gzip file: `head` then `zeroMiB` MiB of zeros, as gzip members. */
export function bigGz(out: string, head: Buffer, zeroMiB: number): void {
  const fd = fs.openSync(out, "w");
  try {
    fs.writeSync(fd, zlib.gzipSync(head));
    const z = zlib.gzipSync(Buffer.alloc(2 ** 20), { level: 9 });
    for (let i = 0; i < zeroMiB; i++) fs.writeSync(fd, z);
  } finally {
    fs.closeSync(fd);
  }
}

/** `text` repeated (whole lines) to exactly `bytes` bytes or just under. */
export function repeatLines(text: string, bytes: number): Buffer {
  const lines = text
    .split("\n")
    .filter((l) => l.length)
    .map((l) => l + "\n");
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; ; i++) {
    const l = lines[i % lines.length];
    if (n + Buffer.byteLength(l) > bytes) break;
    parts.push(l);
    n += Buffer.byteLength(l);
  }
  return Buffer.from(parts.join(""));
}

interface ZipEntrySpec {
  name: string;
  /** The entry's content is `chunk` written `repeat` times (default once). */
  chunk: Buffer;
  repeat?: number;
}

/** A zip (deflate) of the given entries; names are written as given, even unsafe ones. */
export function writeZip(out: string, entries: ZipEntrySpec[]): void {
  const fd = fs.openSync(out, "w");
  let offset = 0;
  const central: Buffer[] = [];
  const write = (b: Buffer) => {
    fs.writeSync(fd, b);
    offset += b.length;
  };
  try {
    for (const e of entries) {
      const repeat = e.repeat ?? 1;
      const part = zlib.deflateRawSync(e.chunk, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
      const end = zlib.deflateRawSync(Buffer.alloc(0));
      let crc = 0;
      for (let i = 0; i < repeat; i++) crc = zlib.crc32(e.chunk, crc);
      const size = e.chunk.length * repeat;
      const csize = part.length * repeat + end.length;
      if (size >= 2 ** 32 || csize >= 2 ** 32) throw new Error("writeZip: entries must stay under 4 GiB (no zip64)");
      const name = Buffer.from(e.name, "utf8");
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x800, 6); // UTF-8 names
      local.writeUInt16LE(8, 8); // deflate
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(csize, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      const at = offset;
      write(local);
      write(name);
      for (let i = 0; i < repeat; i++) write(part);
      write(end);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(0x031e, 4); // made by: unix, 3.0
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x800, 8);
      c.writeUInt16LE(8, 10);
      c.writeUInt32LE(crc >>> 0, 16);
      c.writeUInt32LE(csize, 20);
      c.writeUInt32LE(size, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      c.writeUInt32LE(at, 42);
      central.push(c, name);
    }
    const cdStart = offset;
    for (const b of central) write(b);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(entries.length, 8);
    eocd.writeUInt16LE(entries.length, 10);
    eocd.writeUInt32LE(offset - cdStart, 12);
    eocd.writeUInt32LE(cdStart, 16);
    write(eocd);
  } finally {
    fs.closeSync(fd);
  }
}
