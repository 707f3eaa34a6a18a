/**
 * Cassandra's GCInspector lines in system.log / debug.log — pure text -> pause rows.
 *
 * Cassandra logs every collection longer than gc_log_threshold (200 ms by default; INFO, WARN
 * above gc_warn_threshold) through GCInspector, in one of three wordings (the same ones sperf's
 * pysper/parser/cases.py recognises):
 *  - 2.1 and later, DSE:  `G1 Young Generation GC in 436ms.  G1 Old Gen: 593711496 -> 595005840; ...`
 *  - 1.x/2.0:             `GC for ParNew: 234 ms for 1 collections, 1234 used; max is 5678`
 *  - the console log of a node started in the foreground: `DEBUG 19:32:54 G1 Young Generation GC in 7ms. ...`
 * The duration is what the collector's MXBean reported (close to wall time, like `real=`), so it
 * goes to `pause_ms` of a row with origin "gcinspector"; pool sizes (bytes) give heap before/after.
 */
import { intern } from "./gc-pauses";
import { bytesToMb, emptyParse, type GcParse, type GcPause, type ParseOptions } from "./gc-types";

/** One rule per wording, tried in order on lines that contain "GC in " or "GC for ". */
const RULES: { what: string; re: RegExp; read: (m: RegExpExecArray) => { collector: string; ms: number; pools?: string; used?: number; max?: number } }[] = [
  {
    what: "2.1+ / DSE: `<collector> GC in <n>ms.  <pool>: a -> b; ...`",
    re: /(?:^|\s)((?:[A-Z][\w]*)(?: [A-Z][\w]*)*) GC in (\d+)ms\.\s*(.*)$/,
    read: (m) => ({ collector: m[1], ms: Number(m[2]), pools: m[3] }),
  },
  {
    what: "1.x/2.0: `GC for <collector>: <n> ms for <k> collections, <used> used; max is <max>`",
    re: /GC for ([A-Za-z ]+): (\d+) ms for (\d+) collections, (\d+) used; max is (\d+)/,
    read: (m) => ({ collector: m[1], ms: Number(m[2]), used: Number(m[4]), max: Number(m[5]) }),
  },
];

/** Collector (MXBean) name -> pause type. */
export const GCINSPECTOR_TYPES: Record<string, string> = {
  ParNew: "young",
  "G1 Young Generation": "young",
  "PS Scavenge": "young",
  Copy: "young",
  "ZGC Minor Pauses": "zgc-young",
  ConcurrentMarkSweep: "old",
  "G1 Old Generation": "full",
  "G1 Concurrent GC": "remark",
  "PS MarkSweep": "full",
  MarkSweepCompact: "full",
  "ZGC Pauses": "zgc",
  "ZGC Major Pauses": "zgc-old",
  "Shenandoah Pauses": "shenandoah",
};

/** `LEVEL [thread] 2020-07-20 09:59:02,134 ` (logback) or `LEVEL 19:32:54 ` (console). */
const LOGBACK_TIME = /(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)[,.](\d{3})/;
const NON_HEAP = /^(Metaspace|Code Cache|Compressed Class Space|CodeHeap)/;

/**
 * GCInspector pauses of one system.log (or debug.log). Lines without GCInspector wording are
 * not counted as skipped: a system.log is mostly other things.
 * @example parseGcInspector("INFO  [Service Thread] 2019-10-10 16:41:43,679 GCInspector.java:284 - ParNew GC in 236ms.  CMS Old Gen: 1 -> 2").pauses[0].pause_ms // 236
 */
export function parseGcInspector(text: string, opts: ParseOptions = {}): GcParse {
  const p = gcInspectorParser(opts);
  p.push(text);
  return p.end();
}

/**
 * GCInspector pauses of a system.log read block by block (whole lines per block, numbered on).
 * @example const p = gcInspectorParser(); for await (const b of readLineBlocks("system.log")) p.push(b); p.end().pauses
 */
export function gcInspectorParser(opts: ParseOptions = {}): { push(text: string): void; end(): GcParse } {
  const r = emptyParse("gcinspector");
  const maxLines = opts.maxLines ?? Infinity;
  let lineNo = 0;
  const push = (text: string) => {
    let pos = 0;
    const n = text.length;
    while (pos < n && lineNo < maxLines) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = n;
      lineNo++;
      const line = text.slice(pos, end);
      pos = end + 1;
      if (line.indexOf("GC in ") < 0 && line.indexOf("GC for ") < 0) continue;
      for (const rule of RULES) {
        const m = rule.re.exec(line);
        if (!m) continue;
        const x = rule.read(m);
        const type = GCINSPECTOR_TYPES[x.collector];
        if (type === undefined && !/GCInspector/.test(line)) break; // "GC in" in some other message
        const p = pauseRow(line, lineNo, x.collector, type ?? "young", x.ms);
        if (x.pools) {
          let before = 0;
          let after = 0;
          let any = false;
          for (const pool of x.pools.split(";")) {
            const pm = /^\s*([^:]+): (\d+) -> (\d+)/.exec(pool);
            if (!pm || NON_HEAP.test(pm[1])) continue;
            before += Number(pm[2]);
            after += Number(pm[3]);
            any = true;
          }
          if (any) {
            p.heap_before_mb = bytesToMb(before);
            p.heap_after_mb = bytesToMb(after);
          }
        } else if (x.used !== undefined) {
          p.heap_after_mb = bytesToMb(x.used);
          p.heap_total_mb = bytesToMb(x.max ?? 0);
        }
        if (p.timestamp) {
          if (r.firstTimestamp === null) r.firstTimestamp = p.timestamp;
          r.lastTimestamp = p.timestamp;
        }
        r.pauses.push(p);
        break;
      }
    }
  };
  const end = () => {
    r.lines = lineNo;
    return r;
  };
  return { push, end };
}

function pauseRow(line: string, lineNo: number, collector: string, type: string, ms: number): GcPause {
  const t = LOGBACK_TIME.exec(line);
  // Cassandra writes local time without a zone: read as UTC (say so in the report).
  const stamp = t ? `${t[1]}T${t[2]}.${t[3]}Z` : null;
  return {
    timestamp: stamp,
    uptime_s: null,
    type,
    name: intern(`${collector} GC`),
    cause: null,
    pause_ms: ms,
    real_ms: null,
    stopped_ms: null,
    heap_before_mb: null,
    heap_after_mb: null,
    heap_total_mb: null,
    to_space_exhausted: false,
    humongous: false,
    concurrent_mode_failure: false,
    gc_id: null,
    within_line: null,
    line: lineNo,
  };
}
