/**
 * Inputs of the throughput benchmarks. Big real logs are not in the repository (test/fixtures stays
 * small), so each benchmark takes its input from an environment variable, else generates it here,
 * deterministically, from a small real excerpt in test/fixtures/data:
 *
 *  - bench:gc: CASSPERF_BENCH_GC_LOG names a GC log (plain, .gz or .zip — e.g. the 47 MB
 *    gctoolkit-testdata jdk11_details.log.zip). Else a unified JDK 11 G1 `-Xlog:gc*` log of
 *    CASSPERF_BENCH_GC_MB megabytes (default 47, the size of that log) is written to the OS temp
 *    folder: the real excerpt test/fixtures/data/gc/jdk11-g1-details-excerpt.gc.log.zip (lines 1-20007
 *    of that log) repeated, each copy's GC ids and uptimes shifted past the previous copy's, so the
 *    text reads as one JVM run with the same lines, tags and pause mix as the original.
 *  - bench:logs: CASSPERF_BENCH_LOGS names a folder of system/debug logs (searched recursively); else the real
 *    logs of test/fixtures/data (the largest is the DSE 6.8 node's 3 MB debug.log).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

const FIXTURES = path.resolve(__dirname, "../test/fixtures/data");
const GC_TEMPLATE = path.join(FIXTURES, "gc", "jdk11-g1-details-excerpt.gc.log.zip");

/**
 * The GC log bench:gc measures: CASSPERF_BENCH_GC_LOG, else a generated one (see the file comment).
 * @example const file = gcBenchLog(); // e.g. /tmp/cassperf-bench-gc-47mb.log
 */
export function gcBenchLog(): string {
  if (process.env.CASSPERF_BENCH_GC_LOG) return path.resolve(process.env.CASSPERF_BENCH_GC_LOG);
  const mb = Number(process.env.CASSPERF_BENCH_GC_MB ?? 47);
  if (!(mb > 0)) throw new Error(`CASSPERF_BENCH_GC_MB: expected a positive number of megabytes, got ${process.env.CASSPERF_BENCH_GC_MB}`);
  const out = path.join(os.tmpdir(), `cassperf-bench-gc-${mb}mb.log`);
  if (fs.existsSync(out) && fs.statSync(out).size >= mb * 1e6) return out;
  const text = firstZipEntry(GC_TEMPLATE);
  fs.writeFileSync(`${out}.tmp`, repeatUnifiedGcLog(text, mb * 1e6));
  fs.renameSync(`${out}.tmp`, out);
  return out;
}

/** The text of a .zip's first entry (deflated or stored, sizes in its local header, as `zip` writes them). */
function firstZipEntry(file: string): string {
  const z = fs.readFileSync(file);
  if (z.readUInt32LE(0) !== 0x04034b50) throw new Error(`${file}: not a zip (no local file header at byte 0)`);
  const method = z.readUInt16LE(8);
  const size = z.readUInt32LE(18);
  const start = 30 + z.readUInt16LE(26) + z.readUInt16LE(28);
  if (size === 0 || z.readUInt16LE(6) & 0x08) throw new Error(`${file}: the first entry's size is not in its local header`);
  const data = z.subarray(start, start + size);
  if (method === 0) return data.toString("utf8");
  if (method === 8) return zlib.inflateRawSync(data).toString("utf8");
  throw new Error(`${file}: zip compression method ${method} (expected 0 or 8)`);
}

/**
 * A unified GC log (uptime-first decorations, `[12.345s]...`) grown to at least `bytes`: its header
 * (the lines before the first `GC(n)`) once, then its body again and again with GC ids and uptimes
 * moved past the previous copy's, so ids and uptimes keep increasing (one JVM run).
 * @example repeatUnifiedGcLog("[0.016s][info][gc] Using G1\n[1.000s][info][gc] GC(0) Pause Young (Normal) 5M->1M(64M) 1.000ms\n", 200)
 */
export function repeatUnifiedGcLog(text: string, bytes: number): string {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const first = lines.findIndex((l) => /GC\(\d+\)/.test(l));
  if (first < 0) throw new Error("repeatUnifiedGcLog: the template has no GC(n) line");
  const header = lines.slice(0, first);
  const body = lines.slice(first);
  let maxId = 0;
  let maxUptime = 0;
  for (const l of body) {
    const id = /GC\((\d+)\)/.exec(l);
    if (id) maxId = Math.max(maxId, Number(id[1]));
    const up = /^\[(\d+\.\d+)s\]/.exec(l);
    if (up) maxUptime = Math.max(maxUptime, Number(up[1]));
  }
  const parts: string[] = [header.join("\n")];
  let size = parts[0].length;
  for (let k = 0; size < bytes; k++) {
    const idShift = k * (maxId + 1);
    const timeShift = k * Math.ceil(maxUptime + 1);
    const shift = (l: string) =>
      l
        .replace(/^\[(\d+\.\d+)s\]/, (_, s: string) => `[${(Number(s) + timeShift).toFixed(3)}s]`)
        .replace(/GC\((\d+)\)/, (_, n: string) => `GC(${Number(n) + idShift})`);
    const copy = body.map(shift).join("\n");
    parts.push(copy);
    size += copy.length + 1;
  }
  return `${parts.join("\n")}\n`;
}

/**
 * The folder (or file) of system/debug logs bench:logs measures: CASSPERF_BENCH_LOGS, else test/fixtures/data.
 * @example logsBenchDir() // "<repo>/test/fixtures/data"
 */
export function logsBenchDir(): string {
  return process.env.CASSPERF_BENCH_LOGS ? path.resolve(process.env.CASSPERF_BENCH_LOGS) : FIXTURES;
}
