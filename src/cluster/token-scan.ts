/**
 * Token-range scan: count rows per partition over a whole table, in parallel, with bounded memory.
 *
 * The ring is split at the cluster's own tokens (from the driver's metadata), so each range has
 * one replica set. Ranges are scanned `concurrency` at a time, each against a replica of that range
 * (the driver's `host` option), with paging, selecting only `token(pk)` and the partition key.
 * Rows of one partition arrive together, so a partition's count is final when the token changes.
 * A range whose replica fails is resumed on the next replica from the last completed partition;
 * a range that fails on every replica is reported, never silently skipped.
 * Memory: only the top N partitions (a min-heap) and a log2 histogram are kept; every count can
 * optionally be streamed to a CSV file.
 * Steps of scanTokenRanges: the table's queries (scanQueries), the ring's ranges (ringRanges,
 * sampleRanges), the scan (RangeScan.scanRange, one range on its replicas in turn; pageThrough, one
 * replica's pages), the retry rounds (RangeScan.retryRounds), the result.
 */
import { csvRecord } from "./csv";
import * as fs from "node:fs";
import type { Client, Host } from "cassandra-driver";
import { CassperfError } from "../errors";
import { quoteIdent, quoteTable, type TableName } from "./cql";
import { plural } from "../present/plural";

/** Progress of a scan, for bars in the REPL and notebooks. */
export interface ScanProgress {
  /** Ranges finished (scanned or failed). */
  done: number;
  /** Ranges to scan. */
  total: number;
  rows: number;
  partitions: number;
  rowsPerSecond: number;
  /** Estimated time left, in ms (undefined until one range is done). */
  etaMs?: number;
  elapsedMs: number;
  label: string;
}

/** One partition's count. */
export interface PartitionCount {
  /** The partition key for display: its parts joined with ":" (ambiguous when a part holds ":"; the CSV file has one column per part). */
  key: string;
  /** Each partition-key column's value as text (blobs 0x…, timestamps ISO-8601), in the key's column order. */
  parts?: string[];
  token: string;
  rows: number;
  /** Estimated bytes (sum of value sizes), when `estimateBytes` was asked. */
  bytes?: number;
  /** Replicas of the partition's range. */
  nodes: string[];
}

/** A range that could not be scanned on any replica. */
export interface FailedRange {
  start: string;
  end: string;
  replicas: string[];
  errors: string[];
}

export interface TokenScanOptions {
  concurrency: number;
  fetchSize: number;
  consistency: number;
  topN: number;
  sample: number;
  maxRows?: number;
  maxSeconds?: number;
  timeoutMs: number;
  /** Extra rounds for ranges that failed on every replica, after retryDelayMs x round. */
  retryRounds: number;
  retryDelayMs: number;
  estimateBytes: boolean;
  /** Count partitions with more rows than this exactly (the histogram is only log2-exact). */
  countOver: number;
  outFile?: string;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

export interface TokenScanResult {
  top: PartitionCount[];
  /** log2 histogram: index i counts partitions with rows in [2^i, 2^(i+1)). */
  histogram: number[];
  partitions: number;
  /** Partitions with more rows than `countOver`. */
  partitionsOver: number;
  rows: number;
  rangesTotal: number;
  rangesScanned: number;
  failed: FailedRange[];
  /** Ranges that succeeded only after a replica failed: "start..end: node -> node". */
  retried: string[];
  /** Rows counted per primary replica. */
  rowsPerNode: Record<string, number>;
  partial: boolean;
  /** Why the scan stopped early, when it did. */
  stoppedBecause?: string;
  elapsedMs: number;
}

interface ScanRange {
  /** Exclusive start (undefined: from the ring's minimum, inclusive). */
  start?: string;
  /** Inclusive end (undefined: to the ring's maximum). */
  end?: string;
  replicas: Host[];
}

/** A bounded min-heap keeping the N largest partitions by rows. */
class TopPartitions {
  private heap: PartitionCount[] = [];
  constructor(private readonly n: number) {}
  offer(p: PartitionCount): void {
    if (this.n <= 0) return;
    const h = this.heap;
    if (h.length < this.n) {
      h.push(p);
      this.up(h.length - 1);
    } else if (p.rows > h[0].rows) {
      h[0] = p;
      this.down(0);
    }
  }
  sorted(): PartitionCount[] {
    return [...this.heap].sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key));
  }
  private up(i: number) {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].rows <= h[i].rows) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  private down(i: number) {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].rows < h[m].rows) m = l;
      if (r < h.length && h[r].rows < h[m].rows) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

/** Split the ring at the cluster's tokens; the wrapping range becomes two ranges. */
function ringRanges(client: Client, keyspace: string): ScanRange[] {
  const md = client.metadata;
  const ranges: ScanRange[] = [];
  for (const r of md.getTokenRanges()) {
    const replicas = md.getReplicas(keyspace, r) ?? [];
    const start = String(r.start.getValue());
    const end = String(r.end.getValue());
    if (r.isWrappedAround() || start === end) {
      ranges.push({ start, replicas }); // (start, max]
      ranges.push({ end, replicas }); // [min, end]
    } else ranges.push({ start, end, replicas });
  }
  return ranges.sort((a, b) => (a.start === undefined ? -1 : b.start === undefined ? 1 : BigInt(a.start) < BigInt(b.start) ? -1 : 1));
}

/**
 * Run `fn` over `items`, at most `n` at a time, in order; no new item starts once `stop()` is true.
 * @example await runPool(ranges, 8, scanRange, () => aborted)
 */
async function runPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** A key column's value as text: blobs as 0x…, timestamps as ISO-8601, null as "". */
function keyPart(v: unknown): string {
  return v === null || v === undefined ? "" : Buffer.isBuffer(v) ? "0x" + v.toString("hex") : v instanceof Date ? v.toISOString() : String(v);
}

function approxBytes(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (Buffer.isBuffer(v)) return v.length;
  if (typeof v === "string") return Buffer.byteLength(v);
  if (typeof v === "number" || typeof v === "boolean") return 8;
  if (typeof v === "object") return Buffer.byteLength(JSON.stringify(v) ?? "");
  return 8;
}

/** Scan a table's token ranges and count rows per partition: the table's queries, the ranges, the scan, the retry rounds. */
export async function scanTokenRanges(client: Client, table: TableName, opts: TokenScanOptions): Promise<TokenScanResult> {
  const { pk, queries } = await scanQueries(client, table, opts.estimateBytes);
  const ring = ringRanges(client, table.keyspace);
  const ranges = sampleRanges(ring, opts.sample);
  const out = opts.outFile ? openCountsCsv(opts.outFile, pk) : undefined;
  const scan = new RangeScan(client, table, opts, pk, queries, ranges.length, out);
  await runPool(
    ranges,
    opts.concurrency,
    (r) => scan.scanAndReport(r),
    () => scan.stop(),
  );
  await scan.retryRounds();
  if (out) await new Promise<void>((resolve) => out.end(resolve));
  return scan.result(ring.length);
}

/** The three token-range SELECTs of a table (token(pk) and the key columns, or every column to estimate bytes); refuses an unknown table. */
async function scanQueries(client: Client, table: TableName, estimateBytes: boolean): Promise<{ pk: string[]; queries: ScanQueries }> {
  const meta = await client.metadata.getTable(table.keyspace, table.table);
  if (!meta) {
    const ks = client.metadata.keyspaces[table.keyspace];
    const known = ks ? "" : ` (no keyspace ${JSON.stringify(table.keyspace)}; keyspaces: ${Object.keys(client.metadata.keyspaces).sort().join(", ")})`;
    throw new CassperfError(`partitionScan: table ${table.keyspace}.${table.table} does not exist${known}.`, {
      hint: 'quote names with upper case: partitionScan(\'"MyKs"."MyTable"\')',
    });
  }
  const pk = meta.partitionKeys.map((c) => c.name);
  const pkList = pk.map(quoteIdent).join(", ");
  const tokenExpr = `token(${pkList})`;
  const cols = estimateBytes ? "*" : pkList;
  const base = `SELECT ${tokenExpr} AS t, ${cols} FROM ${quoteTable(table)}`;
  return {
    pk,
    queries: {
      between: `${base} WHERE ${tokenExpr} > ? AND ${tokenExpr} <= ?`,
      after: `${base} WHERE ${tokenExpr} > ?`,
      upTo: `${base} WHERE ${tokenExpr} <= ?`,
    },
  };
}

/** A range's SELECT: between two tokens, after one, or up to one. */
interface ScanQueries {
  between: string;
  after: string;
  upTo: string;
}

/** A `sample` fraction of the ranges, evenly spread over the ring (all of them at 1). */
function sampleRanges(ranges: ScanRange[], sample: number): ScanRange[] {
  if (sample >= 1) return ranges;
  const keep = Math.max(1, Math.round(ranges.length * sample));
  const step = ranges.length / keep;
  return Array.from({ length: keep }, (_, i) => ranges[Math.floor(i * step)]);
}

/** The CSV every partition's count streams to: refuses an existing file; RFC 4180 (./csv.ts), one column per partition-key column, then token and rows. */
function openCountsCsv(outFile: string, pk: string[]): fs.WriteStream {
  if (fs.existsSync(outFile))
    throw new CassperfError(`partitionScan: ${outFile} already exists; refusing to overwrite it.`, {
      hint: "choose another outFile or remove the file yourself",
    });
  const out = fs.createWriteStream(outFile, { flags: "wx" });
  out.write(csvRecord([...pk, "token", "rows"]));
  return out;
}

/**
 * One scan's state: the counts kept (top N, log2 histogram, rows per node), the ranges that failed,
 * and why it stopped. scanRange() scans one range against its replicas in turn; retryRounds()
 * gives the ranges that failed on every replica more rounds.
 */
class RangeScan {
  private readonly top: TopPartitions;
  private readonly histogram: number[] = [];
  private readonly rowsPerNode: Record<string, number> = {};
  private readonly failed: FailedRange[] = [];
  private readonly retryQueue: ScanRange[] = [];
  private readonly retried: string[] = [];
  private rows = 0;
  private partitions = 0;
  private partitionsOver = 0;
  private done = 0;
  private scannedRanges = 0;
  private stoppedBecause: string | undefined;
  private readonly t0 = Date.now();
  private readonly deadline: number;
  // Replicas that failed once go last for the ranges that follow, so one frozen node costs one timeout per worker, not one per range.
  private readonly suspects = new Set<string>();
  private readonly tokenParam: (s: string) => unknown;

  constructor(
    private readonly client: Client,
    private readonly table: TableName,
    private readonly opts: TokenScanOptions,
    private readonly pk: string[],
    private readonly queries: ScanQueries,
    private readonly rangesToScan: number,
    private readonly out: fs.WriteStream | undefined,
  ) {
    this.top = new TopPartitions(opts.topN);
    this.deadline = opts.maxSeconds ? this.t0 + opts.maxSeconds * 1000 : Infinity;
    const Long = (require("cassandra-driver") as typeof import("cassandra-driver")).types.Long;
    this.tokenParam = (s: string) => Long.fromString(s);
  }

  /** Whether to stop (cancelled, row or time budget reached); the first reason is kept. */
  stop(): boolean {
    const { opts } = this;
    if (this.stoppedBecause) return true;
    if (opts.signal?.aborted) this.stoppedBecause = "cancelled";
    else if (opts.maxRows !== undefined && this.rows >= opts.maxRows) this.stoppedBecause = `row budget of ${opts.maxRows} rows reached`;
    else if (Date.now() > this.deadline) this.stoppedBecause = `time budget of ${opts.maxSeconds} s reached`;
    return this.stoppedBecause !== undefined;
  }

  /** A partition whose count is final: into the histogram, the node's rows, the top N and the CSV. */
  private record(p: PartitionCount, primary: string): void {
    this.partitions++;
    if (p.rows > this.opts.countOver) this.partitionsOver++;
    const b = Math.floor(Math.log2(p.rows));
    while (this.histogram.length <= b) this.histogram.push(0);
    this.histogram[b]++;
    this.rowsPerNode[primary] = (this.rowsPerNode[primary] ?? 0) + p.rows;
    this.top.offer(p);
    this.out?.write(csvRecord([...(p.parts ?? [p.key]), p.token, p.rows]));
  }

  private progress(): void {
    const { opts, done, rows } = this;
    if (!opts.onProgress) return;
    const elapsedMs = Date.now() - this.t0;
    const rate = elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0;
    opts.onProgress({
      done,
      total: this.rangesToScan,
      rows,
      partitions: this.partitions,
      rowsPerSecond: rate,
      elapsedMs,
      etaMs: done > 0 ? (elapsedMs / done) * (this.rangesToScan - done) : undefined,
      label: `${this.table.keyspace}.${this.table.table}`,
    });
  }

  /** Scan one range, then count it done and report progress. */
  async scanAndReport(r: ScanRange): Promise<void> {
    await this.scanRange(r);
    this.done++;
    this.progress();
  }

  /** Scan one range on its replicas in turn, resuming after the last complete partition; a range failing on all of them is queued for a retry round. */
  private async scanRange(range0: ScanRange): Promise<void> {
    const range = { ...range0, replicas: [...range0.replicas].sort((a, b) => Number(this.suspects.has(a.address)) - Number(this.suspects.has(b.address))) };
    const nodes = range.replicas.map((h) => h.address.replace(/:\d+$/, ""));
    const primary = nodes[0] ?? "unknown";
    const resume = { after: range.start };
    const errors: string[] = [];
    for (let attempt = 0; attempt < Math.max(1, range.replicas.length); attempt++) {
      const host = range.replicas[attempt];
      const inFlight: { current?: PartitionCount } = {};
      try {
        if (!(await this.pageThrough(range, host, nodes, primary, resume, inFlight))) return;
        this.scannedRanges++;
        if (attempt > 0)
          this.retried.push(`${range.start ?? "min"}..${range.end ?? "max"}: ${nodes.slice(0, attempt).join(", ")} failed, scanned on ${nodes[attempt]}`);
        return;
      } catch (e) {
        // The partition in flight is incomplete: drop it and resume after the last complete one.
        if (inFlight.current) this.rows -= inFlight.current.rows;
        errors.push(`${nodes[attempt] ?? "any"}: ${(e as Error).message.split("\n")[0]}`);
        if (host) this.suspects.add(host.address);
      }
    }
    this.failed.push({ start: range.start ?? "min", end: range.end ?? "max", replicas: nodes, errors });
    // Retried after a pause, from the last partition counted (never counted twice).
    this.retryQueue.push({ ...range0, ...(resume.after !== undefined ? { start: resume.after } : {}) });
  }

  /**
   * Page through one range on one replica (`host`, or the coordinator's choice), counting rows per
   * partition. Rows of one partition arrive together: a partition is final when the token changes,
   * and `resume.after` moves past it. False when the scan was told to stop.
   */
  private async pageThrough(
    range: ScanRange,
    host: Host | undefined,
    nodes: string[],
    primary: string,
    resume: { after?: string },
    inFlight: { current?: PartitionCount },
  ): Promise<boolean> {
    const { opts, queries, tokenParam } = this;
    let pageState: string | undefined;
    do {
      if (this.stop()) return false;
      const [q, params] =
        resume.after !== undefined && range.end !== undefined
          ? [queries.between, [tokenParam(resume.after), tokenParam(range.end)]]
          : resume.after !== undefined
            ? [queries.after, [tokenParam(resume.after)]]
            : [queries.upTo, [tokenParam(range.end!)]];
      // Bound values, not prepared: preparing would first go to the target replica with the
      // client's (long) socket timeout, which a frozen node turns into a 12 s stall.
      const rs = await this.client.execute(q, params, {
        prepare: false,
        hints: params.map(() => "bigint"),
        fetchSize: opts.fetchSize,
        consistency: opts.consistency,
        isIdempotent: true,
        readTimeout: opts.timeoutMs,
        ...(host ? { host } : {}),
        ...(pageState ? { pageState } : {}),
      });
      for (const row of rs.rows) {
        const token = String(row.get("t"));
        let current = inFlight.current;
        if (!current || current.token !== token) {
          if (current) {
            this.record(current, primary);
            resume.after = current.token; // everything up to this token is counted
          }
          const parts = this.pk.map((c) => keyPart(row.get(c)));
          current = inFlight.current = { key: parts.join(":"), parts, token, rows: 0, nodes, ...(opts.estimateBytes ? { bytes: 0 } : {}) };
        }
        current.rows++;
        this.rows++;
        if (opts.estimateBytes) {
          let b = 0;
          for (const k of row.keys()) if (k !== "t") b += approxBytes(row.get(k));
          current.bytes! += b;
        }
      }
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    if (inFlight.current) this.record(inFlight.current, primary);
    return true;
  }

  /**
   * Ranges that failed on every replica get more rounds after a pause: a frozen or dying node keeps
   * being chosen by coordinators until gossip convicts it (about 10-20 s), then the others answer.
   */
  async retryRounds(): Promise<void> {
    const { opts } = this;
    for (let round = 1; round <= opts.retryRounds && this.retryQueue.length && !this.stop(); round++) {
      const pause = opts.retryDelayMs * round;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pause);
        opts.signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
      if (this.stop()) break;
      const again = this.retryQueue.splice(0);
      this.failed.length = 0;
      let recovered = 0;
      const rescan = async (r: ScanRange) => {
        const before = this.failed.length;
        await this.scanRange(r);
        if (this.failed.length === before) recovered++;
      };
      await runPool(again, opts.concurrency, rescan, () => this.stop());
      this.retried.push(
        `round ${round + 1} after a ${pause / 1000} s pause: ${recovered} of ${plural(again.length, "range")} that had failed on every replica scanned`,
      );
    }
  }

  /** What the scan found; `rangesTotal` is the ring's range count (before sampling). */
  result(rangesTotal: number): TokenScanResult {
    const { stoppedBecause } = this;
    return {
      top: this.top.sorted(),
      histogram: this.histogram,
      partitions: this.partitions,
      partitionsOver: this.partitionsOver,
      rows: this.rows,
      rangesTotal,
      rangesScanned: this.scannedRanges,
      failed: this.failed,
      retried: this.retried,
      rowsPerNode: this.rowsPerNode,
      partial: this.failed.length > 0 || stoppedBecause !== undefined || this.opts.sample < 1,
      ...(stoppedBecause ? { stoppedBecause } : {}),
      elapsedMs: Date.now() - this.t0,
    };
  }
}
