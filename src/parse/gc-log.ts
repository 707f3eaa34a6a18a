/**
 * Which GC-log dialect a text is, and the one entry point that parses any of them.
 *
 * Detection looks at the first non-empty lines only (cheap): unified logging starts every line
 * with `[decoration]`; JDK 8 logs start with the JVM banner, `CommandLine flags:`, or
 * `[date: ]uptime: [GC` / stopped-time lines. Anything else is reported as "unknown" with every
 * line skipped, so the caller can say "this file is not a GC log".
 */
import { parseJdk8Gc } from "./gc-jdk8";
import { emptyParse, skip, type GcParse, type ParseOptions } from "./gc-types";
import { parseUnifiedGc } from "./gc-unified";

export * from "./gc-types";
export { parseJdk8Gc } from "./gc-jdk8";
export { parseUnifiedGc } from "./gc-unified";
export { parseGcInspector } from "./gc-inspector";
export { parseNodetoolGcstats, type NodetoolGcStats } from "./nodetool-gcstats";

const UNIFIED_LINE = /^\[[^\]\n]*\](\[[^\]\n]*\])* ?\S/;
const JDK8_LINE = /^(Java HotSpot|OpenJDK|Memory: |CommandLine flags: |\{Heap before|(\d{4}-\d\d-\d\dT[\d:.]+[+-]\d{4}: )?\d+\.\d+: (\[|Total time|Application time)|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file created)/;

/**
 * The dialect of a GC log from its first lines.
 * @example detectGcFormat("[0.009s][info][gc] Using Parallel") // "unified"
 */
export function detectGcFormat(text: string): "unified" | "jdk8" | "unknown" {
  let unified = 0;
  let jdk8 = 0;
  let seen = 0;
  let pos = 0;
  while (pos < text.length && seen < 20) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, Math.min(end, pos + 400));
    pos = end + 1;
    if (!line.trim()) continue;
    seen++;
    if (UNIFIED_LINE.test(line) && /^\[[^\]]*(\d+(\.\d+)?(s|ms|ns)|\d{4}-\d\d-\d\d[T ][\d:.]+[^\]]*|info|debug|trace|warning|error|gc[\w,]*\s*)\]/.test(line)) unified++;
    else if (JDK8_LINE.test(line)) jdk8++;
  }
  if (unified === 0 && jdk8 === 0) return "unknown";
  return unified >= jdk8 ? "unified" : "jdk8";
}

/**
 * Parse any GC log (unified JDK 9+ or JDK 8 PrintGCDetails). A text that is neither comes back
 * with format "unknown", no rows, and every non-empty line counted as skipped.
 * @example parseGcLog(fs.readFileSync("gc.log", "utf8")).pauses.length
 */
export function parseGcLog(text: string, opts: ParseOptions = {}): GcParse {
  const format = detectGcFormat(text);
  if (format === "unified") return parseUnifiedGc(text, opts);
  if (format === "jdk8") return parseJdk8Gc(text, opts);
  const r = emptyParse("unknown");
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    r.lines++;
    const line = text.slice(pos, end);
    if (line.trim()) skip(r.skipped, r.lines, line, "not a GC log line (neither unified [decorations] nor JDK 8 `uptime: [GC`)");
    pos = end + 1;
  }
  return r;
}
