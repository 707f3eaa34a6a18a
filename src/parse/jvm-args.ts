/**
 * THE parser of JVM heap and GC settings from JVM arguments — a command line, the startup "JVM
 * Arguments: [...]" line of system.log, or a JDK 8 GC log's "CommandLine flags:" header. jvm()
 * and the GC log parsers (./gc-jdk8.ts) read -Xmx, -Xms, -Xmn, G1 and collector flags here only.
 */

/** Heap and GC settings read from JVM arguments (each absent when no argument sets it). */
export interface JvmArgSettings {
  heap_max_mb?: number | null;
  heap_min_mb?: number | null;
  young_mb?: number | null;
  max_gc_pause_ms?: number;
  ihop_percent?: number;
  region_size_mb?: number | null;
  /** "G1", "CMS", "Parallel", "Serial", "ZGC", "Shenandoah". */
  collector?: string;
  /** The heap and -XX: arguments, space separated, in their order. */
  flags: string;
}

/**
 * A size argument's value in MB: 1995M, 8G, 512m, 2147483648 (bytes, as HotSpot writes MaxHeapSize).
 * @example sizeMb("8G") // 8192
 */
export function sizeMb(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  return unit === "g" ? n * 1024 : unit === "m" ? n : unit === "k" ? n / 1024 : unit === "t" ? n * 1024 * 1024 : n / 2 ** 20;
}

/** -XX:+Use<name>GC -> the collector's name as reports write it. */
const COLLECTORS: Record<string, string> = {
  G1: "G1",
  ConcMarkSweep: "CMS",
  Parallel: "Parallel",
  ParallelOld: "Parallel",
  Serial: "Serial",
  Z: "ZGC",
  Shenandoah: "Shenandoah",
};

/**
 * Heap and GC settings from a list of JVM arguments; a later argument wins over an earlier one (as in the JVM).
 * @example jvmArgSettings(["-Xms8G", "-Xmx8G", "-XX:+UseG1GC"]).heap_max_mb // 8192
 */
export function jvmArgSettings(args: string[]): JvmArgSettings {
  const out: JvmArgSettings = { flags: "" };
  const flags: string[] = [];
  for (const a of args) {
    let m: RegExpExecArray | null;
    if ((m = /^-Xmx(\S+)$/.exec(a)) || (m = /^-XX:MaxHeapSize=(\S+)$/.exec(a))) out.heap_max_mb = sizeMb(m[1]);
    else if ((m = /^-Xms(\S+)$/.exec(a)) || (m = /^-XX:InitialHeapSize=(\S+)$/.exec(a))) out.heap_min_mb = sizeMb(m[1]);
    else if ((m = /^-Xmn(\S+)$/.exec(a)) || (m = /^-XX:(?:Max)?NewSize=(\S+)$/.exec(a))) out.young_mb = sizeMb(m[1]);
    else if ((m = /^-XX:MaxGCPauseMillis=(\d+)$/.exec(a))) out.max_gc_pause_ms = Number(m[1]);
    else if ((m = /^-XX:InitiatingHeapOccupancyPercent=(\d+)$/.exec(a))) out.ihop_percent = Number(m[1]);
    else if ((m = /^-XX:G1HeapRegionSize=(\S+)$/.exec(a))) out.region_size_mb = sizeMb(m[1]);
    if ((m = /^-XX:\+Use(G1|ConcMarkSweep|Parallel|ParallelOld|Serial|Z|Shenandoah)GC$/.exec(a))) out.collector = COLLECTORS[m[1]];
    if (/^-X(mx|ms|mn|ss)|^-XX:/.test(a)) flags.push(a);
  }
  out.flags = flags.join(" ");
  return out;
}
