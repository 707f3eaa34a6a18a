/**
 * nodetool info -> load, uptime, heap, data center, rack and the key/row/counter/chunk caches.
 *
 * Every line is `<Name> : <value>` (Info.java `%-23s: %s`; 2.1.0 pads to 17). Cache lines changed
 * across versions, all read here:
 *  - 2.1.0:  `entries 14836, size 1186840 (bytes), capacity 19922944 (bytes), 26494 hits, 41339 requests, 0.641 recent hit rate, 14400 save period in seconds`
 *  - 2.1.x+: `entries 11, size 840 bytes, capacity 98 MB, 18354 hits, ...` (FileUtils.stringifyFileSize)
 *  - 4.x/DSE: `... capacity 93 MiB ...`; Chunk Cache: `entries 216928, size 1.3 GiB, capacity 1.3 GiB,
 *    5331532 misses, 308803390 requests, 0.983 recent hit rate, 720.896 microseconds miss latency`
 * NaN (no requests yet), N/A: null, never 0.
 *
 * Line rules (first match wins):
 * | rule   | example                                          | effect                              |
 * |--------|--------------------------------------------------|-------------------------------------|
 * | blank  | ""                                               | skipped                             |
 * | noise  | INFO  20:05:53 Cannot initialize un-mmaper ...   | skipped, counted                    |
 * | cache  | Key Cache        : entries 14836, size ...       | caches[key/row/counter/chunk]       |
 * | field  | Heap Memory (MB) : 180.88 / 384.00               | fields, and the typed fields below  |
 * | other  | anything else                                    | skipped with its line number        |
 */
import { CassperfError } from "../errors";
import { bytes, isNoise, num, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** One cache line. Sizes in bytes; null = not printed or NaN. */
export interface CacheInfo {
  entries: number | null;
  size_bytes: number | null;
  capacity_bytes: number | null;
  hits: number | null;
  /** Chunk cache prints misses instead of hits. */
  misses: number | null;
  requests: number | null;
  recent_hit_rate: number | null;
  save_period_seconds: number | null;
  /** Chunk cache: miss latency and its unit as printed. */
  miss_latency: number | null;
  miss_latency_unit: string | null;
}

/** What {@link parseInfo} returns. */
export interface InfoParse {
  id: string | null;
  load_bytes: number | null;
  generation: number | null;
  uptime_seconds: number | null;
  heap_used_mb: number | null;
  heap_total_mb: number | null;
  off_heap_mb: number | null;
  data_center: string | null;
  rack: string | null;
  exceptions: number | null;
  gossip_active: boolean | null;
  native_transport_active: boolean | null;
  percent_repaired: number | null;
  key_cache: CacheInfo | null;
  row_cache: CacheInfo | null;
  counter_cache: CacheInfo | null;
  chunk_cache: CacheInfo | null;
  /** Every line as printed: name -> value (the last Token line wins). */
  fields: Record<string, string>;
  skipped: SkippedLine[];
  noise: number;
  nodetoolError?: string;
}

/** Parts of a cache line: regex over the value -> field. */
const CACHE_PARTS: [RegExp, keyof CacheInfo, "num" | "bytes"][] = [
  [/entries (\S+?),/, "entries", "num"],
  [/size ([^,]+),/, "size_bytes", "bytes"],
  [/capacity ([^,]+),/, "capacity_bytes", "bytes"],
  [/(\S+) hits/, "hits", "num"],
  [/(\S+) misses/, "misses", "num"],
  [/(\S+) requests/, "requests", "num"],
  [/(\S+) recent hit rate/, "recent_hit_rate", "num"],
  [/(\S+) save period in seconds/, "save_period_seconds", "num"],
  [/(\S+) \S+ miss latency/, "miss_latency", "num"],
];

/** Read one cache line's value (after "Key Cache :"). */
export function parseCacheLine(value: string): CacheInfo {
  const c: CacheInfo = {
    entries: null,
    size_bytes: null,
    capacity_bytes: null,
    hits: null,
    misses: null,
    requests: null,
    recent_hit_rate: null,
    save_period_seconds: null,
    miss_latency: null,
    miss_latency_unit: null,
  };
  for (const [re, key, kind] of CACHE_PARTS) {
    const m = re.exec(value);
    if (m) (c as unknown as Record<string, number | null>)[key] = kind === "bytes" ? bytes(m[1]) : num(m[1]);
  }
  const u = /\S+ (\S+) miss latency/.exec(value);
  if (u) c.miss_latency_unit = u[1];
  return c;
}

const CACHES: Record<string, "key_cache" | "row_cache" | "counter_cache" | "chunk_cache"> = {
  "Key Cache": "key_cache",
  "Row Cache": "row_cache",
  "Counter Cache": "counter_cache",
  "Chunk Cache": "chunk_cache",
};

/**
 * Parse `nodetool info` output (any version, DSE).
 * @throws CassperfError naming the file and line when no line is `<Name> : <value>`
 * @example parseInfo(text, { file: "info" }).key_cache?.recent_hit_rate
 */
export function parseInfo(text: string, options: ParseOptions = {}): InfoParse {
  return parseLines(new InfoLines(options), text);
}

const bool = (v: string) => (v === "true" ? true : v === "false" ? false : null);

/**
 * {@link parseInfo} fed line by line (Source.readLineBlocks through streamedNodetool): every line stands
 * alone, so the state is the result so far.
 * @example const p = new InfoLines({ file: "info" }); p.feed("Heap Memory (MB)       : 180.88 / 384.00", 1); p.end().heap_used_mb
 */
export class InfoLines extends NodetoolOutputLines<InfoParse> {
  private readonly file: string;
  private readonly out = this.empty();

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "info output";
  }

  protected empty(): InfoParse {
    return {
      id: null,
      load_bytes: null,
      generation: null,
      uptime_seconds: null,
      heap_used_mb: null,
      heap_total_mb: null,
      off_heap_mb: null,
      data_center: null,
      rack: null,
      exceptions: null,
      gossip_active: null,
      native_transport_active: null,
      percent_repaired: null,
      key_cache: null,
      row_cache: null,
      counter_cache: null,
      chunk_cache: null,
      fields: {},
      skipped: [],
      noise: 0,
    };
  }

  protected line(line: string, n: number): void {
    const out = this.out;
    if (line.trim() === "") return;
    if (isNoise(line)) {
      out.noise++;
      return;
    }
    const m = /^([A-Za-z][A-Za-z ()]*?)\s*:\s*(.*)$/.exec(line);
    if (!m) {
      out.skipped.push({ line: n, text: line, reason: "not a `Name : value` line" });
      return;
    }
    const [, name, value] = m;
    out.fields[name] = value.trim();
    const cache = CACHES[name];
    if (cache) {
      out[cache] = parseCacheLine(value);
      return;
    }
    switch (name) {
      case "ID":
        out.id = value.trim();
        break;
      case "Load":
        out.load_bytes = bytes(value);
        break;
      case "Generation No":
        out.generation = num(value);
        break;
      case "Uptime (seconds)":
        out.uptime_seconds = num(value);
        break;
      case "Heap Memory (MB)": {
        const h = /^\s*(\S+)\s*\/\s*(\S+)/.exec(value);
        out.heap_used_mb = h ? num(h[1]) : null;
        out.heap_total_mb = h ? num(h[2]) : null;
        break;
      }
      case "Off Heap Memory (MB)":
        out.off_heap_mb = num(value);
        break;
      case "Data Center":
        out.data_center = value.trim();
        break;
      case "Rack":
        out.rack = value.trim();
        break;
      case "Exceptions":
        out.exceptions = num(value);
        break;
      case "Gossip active":
        out.gossip_active = bool(value.trim());
        break;
      case "Native Transport active":
        out.native_transport_active = bool(value.trim());
        break;
      case "Percent Repaired":
        out.percent_repaired = num(value.replace(/%\s*$/, ""));
        break;
    }
  }

  protected result(): InfoParse {
    const out = this.out;
    if (Object.keys(out.fields).length === 0) {
      const s = out.skipped[0];
      throw new CassperfError(
        `${this.file}: line ${s?.line ?? 1}: expected nodetool info output ("Load : ...", "Heap Memory (MB) : ..."), found "${(s?.text ?? "").trim().slice(0, 80)}".`,
      );
    }
    return out;
  }
}
