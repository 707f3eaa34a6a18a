/**
 * Small pieces every nodetool text parser shares: splitting lines, recognising the noise a JVM
 * prints before nodetool's own output (2.1 on a non-Oracle JVM prints "Cannot initialize
 * un-mmaper"), recognising nodetool's own error messages (a bundle collector that ran
 * `nodetool cfhistograms` without arguments stores "nodetool: cfhistograms requires ks and cf args"),
 * and reading numbers the way nodetool prints them: NaN and "N/A" are missing (null), never 0.
 */
import { CassperfError } from "../errors";
import { eachLine } from "./text-lines";

/** A line a parser could not place, kept so the helper can say what it skipped. */
export interface SkippedLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** Why it was skipped. */
  reason: string;
}

/** Options every nodetool parser takes. */
export interface ParseOptions {
  /** The file (or "live nodetool ... on <node>") the text came from; named in errors and notes. */
  file?: string;
}

/** Lines of a text, without trailing \r. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/**
 * Lines that are not nodetool's output but the JVM's or a launcher's, printed before it.
 * Sources: lab/nodetool-2.1-*.txt ("INFO  20:05:48 Cannot initialize un-mmaper ..."), JDK launchers.
 */
const NOISE: RegExp[] = [
  /^(INFO|WARN|WARNING|ERROR|DEBUG)\s+\d\d:\d\d:\d\d\s/, // logback console line from nodetool's own JVM
  /^(INFO|WARN|WARNING|ERROR|DEBUG)\s+\[[^\]]*\]\s/, // logback with a thread
  /^Picked up (_JAVA_OPTIONS|JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS):/,
  /^(OpenJDK|Java HotSpot\(TM\)) (64-Bit )?(Server|Client) VM warning:/,
  /^WARNING: /, // JDK 17 illegal-access / security-manager warnings
];

/** True for a JVM or launcher line that is not part of nodetool's output. */
export function isNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

/**
 * nodetool's own error outputs, stored by collectors in place of the command's output.
 * Sources: diag/cassandra-2.1.17 cfhistograms ("nodetool: cfhistograms requires ks and cf args"),
 * tablestats.json ("nodetool: Found unexpected parameters: [-F, json, tablestats]").
 */
const NODETOOL_ERROR: RegExp[] = [/^nodetool: .+/, /^error: .+/, /^See 'nodetool help'/, /^nodetool: Failed to connect to/, /^Failed to connect to '.+'/];

/** When the whole text is a nodetool error message, that message (first line); else undefined. */
export function nodetoolError(text: string): string | undefined {
  return parseLines(new NodetoolErrorLines(), text);
}

/**
 * {@link nodetoolError} fed line by line, for parsers of streamed outputs: the output is an error
 * when its first meaningful line (not blank, not JVM noise) is one of nodetool's error messages and
 * either every meaningful line is an error or a stack trace line, or the second one is an error too.
 * It keeps two lines and two flags, whatever the output's size.
 */
export class NodetoolErrorLines implements LineParser<string | undefined> {
  private first: string | undefined;
  private second: string | undefined;
  private meaningful = 0;
  private allErrors = true;

  feed(line: string): void {
    if (this.meaningful >= 2 && !this.allErrors) return; // decided: both lines end() looks at are kept
    const l = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (l.trim() === "" || isNoise(l)) return;
    this.meaningful++;
    if (this.meaningful === 1) this.first = l;
    else if (this.meaningful === 2) this.second = l;
    if (!(NODETOOL_ERROR.some((re) => re.test(l)) || /^\s+at |^-- StackTrace --/.test(l))) this.allErrors = false;
  }

  end(): string | undefined {
    const first = this.first;
    // Most texts are real output: decided on the first meaningful line.
    if (first === undefined || !NODETOOL_ERROR.some((re) => re.test(first))) return undefined;
    if (this.allErrors) return first;
    return NODETOOL_ERROR.some((re) => re.test(this.second ?? "")) ? first : undefined;
  }
}

/**
 * A parser fed one line at a time, so an output of any size is parsed from a stream of line blocks
 * (Source.readLineBlocks) without ever holding the whole file as one string. Every nodetool parser
 * is one; its parseX(text) function is {@link parseLines} over it.
 * @example const p = new TpstatsLines({ file }); for (const [i, l] of lines.entries()) p.feed(l, i + 1); p.end()
 */
export interface LineParser<T> {
  /** One line, without its "\n" (a trailing "\r" may remain); `lineNo` is 1-based in the file. */
  feed(line: string, lineNo: number): void;
  /** The result, once every line has been fed. */
  end(): T;
}

/**
 * Feed a whole text to a {@link LineParser}, line by line, and return its result: the same lines
 * {@link splitLines} gives (a last empty line after a final "\n" is not a line).
 */
export function parseLines<T>(parser: LineParser<T>, text: string): T {
  feedBlock(parser, text, 0);
  return parser.end();
}

/**
 * Feed one block of whole lines (as Source.readLineBlocks yields them) to a parser; returns the
 * number of lines fed, so the next block's numbers follow on (`linesBefore`).
 */
export function feedBlock(parser: LineParser<unknown>, block: string, linesBefore: number): number {
  return eachLine(block, (line, n) => parser.feed(line, n), linesBefore);
}

/**
 * A number as nodetool prints it: "1.00", "26387.20", "3.2238114E8", "-1". NaN, "N/A", "null",
 * "n/a" and empty give null (missing, never 0).
 */
export function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().replace(/,$/, "");
  if (t === "" || /^(NaN|N\/A|n\/a|null|-NaN)$/i.test(t)) return null;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/**
 * {@link num} of a JSON value (nodetool -F json, driver rows): null and undefined are missing,
 * anything else is read as its string.
 */
export function numOf(x: unknown): number | null {
  return x === null || x === undefined ? null : num(String(x));
}

/** Multipliers for the size units nodetool prints (FileUtils.stringifyFileSize: binary units; "KB"/"MB" in 2.x mean KiB/MiB). */
const SIZE_UNITS: Record<string, number> = {
  bytes: 1,
  byte: 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * A size as nodetool prints it, in bytes: "1186840 (bytes)", "840 bytes", "98 MB", "1.3 GiB",
 * "31.63 MB", "0.400KiB", "6522" (plain bytes). Unknown units give null.
 */
export function bytes(s: string | undefined): number | null {
  if (s === undefined) return null;
  const m = /^\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?|NaN)\s*\(?\s*([A-Za-z]*)\s*\)?\s*$/.exec(s);
  if (!m) return null;
  const v = num(m[1]);
  if (v === null) return null;
  const unit = m[2].toLowerCase();
  if (unit === "") return v;
  const mult = SIZE_UNITS[unit];
  return mult === undefined ? null : Math.round(v * mult);
}

/**
 * How many characters (about bytes) of a nodetool `-F json` output are collected for one JSON.parse at the end: real ones are a
 * few KB (every pool and message type of a 5.0 node's tpstats is under 10 KB; tablestats ~1.5 KB per table), so 64 MiB is
 * thousands of times that, about 40,000 tables, and far below V8's longest string (512 MiB).
 */
export const JSON_OUTPUT_MAX_CHARS = 64 * 2 ** 20;

/**
 * The lines of a nodetool `-F json` output, collected for one JSON.parse at the end (the text forms are parsed a line at a time;
 * JSON here is not): kept while within {@link JSON_OUTPUT_MAX_CHARS}, past it only counted, and {@link text} refuses with the
 * file and the size. `command`: how to record the text form instead, named in the hint.
 * @example const json = new JsonOutputLines("tpstats.json", "nodetool tpstats"); json.add("{"); json.add("}"); JSON.parse(json.text())
 */
export class JsonOutputLines {
  private lines: string[] | undefined = [];
  private chars = 0;
  constructor(
    private readonly file: string,
    private readonly command: string,
  ) {}

  add(line: string): void {
    this.chars += line.length + 1;
    if (!this.lines) return;
    if (this.chars > JSON_OUTPUT_MAX_CHARS) this.lines = undefined;
    else this.lines.push(line);
  }

  /** The output's text, lines ending with "\n" as a recorded file's do. @throws CassperfError past the limit */
  text(): string {
    if (!this.lines)
      throw new CassperfError(
        `${this.file}: JSON nodetool outputs are read whole; this one is ${(this.chars / 2 ** 20).toFixed(1)} MB, past the limit of ${JSON_OUTPUT_MAX_CHARS / 2 ** 20} MB.`,
        { hint: `record the text output (${this.command} without -F json): it is read line by line, whatever its size` },
      );
    return `${this.lines.join("\n")}\n`;
  }
}
