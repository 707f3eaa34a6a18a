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

/**
 * Whether an output is nodetool's own error message (then that message, its first line), fed line by line as
 * parsers of streamed outputs read it: the output is an error
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
 * The longest member of a nodetool `-F json` output's top-level object (one table of tablestats, tpstats' "ThreadPools") that
 * is parsed as one string, and the longest output of another shape (collected whole): real members are a few KB (every pool of
 * a 5.0 node's tpstats is under 10 KB; a table of tablestats ~1.5 KB), so 64 MiB is thousands of times that and far below V8's
 * longest string (512 MiB).
 */
export const JSON_OUTPUT_MAX_CHARS = 64 * 2 ** 20;

/**
 * A nodetool `-F json` output fed line by line and parsed member by member: nodetool prints one object (`{"ks.t": {...},
 * ...}` for tablestats, `{"ThreadPools": {...}, "DroppedMessage": {...}}` for tpstats), so each member of it is cut out at
 * its top-level comma (strings and nesting followed character by character) and parsed alone; {@link doc} is the object
 * JSON.parse would give the whole text, without ever holding the text: an output of any size, one member at a time.
 * An output that is not one object (nodetool prints none) is collected whole, up to {@link JSON_OUTPUT_MAX_CHARS}, as is
 * each member. `command`: how to record the text form instead, named in the refusal's hint.
 * @example const json = new JsonOutputLines("tpstats.json", "nodetool tpstats"); json.add('{"ThreadPools": {}}'); json.doc()
 */
export class JsonOutputLines {
  private readonly parsed: Record<string, unknown> = {};
  private state: "before" | "object" | "after" | "other" = "before";
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The member being read (object) or the whole text (other), as pieces. */
  private pieces: string[] = [];
  private pieceChars = 0;
  /** The longest member (or other text) seen, in characters. */
  private longest = 0;
  private problem: string | undefined;

  constructor(
    private readonly file: string,
    private readonly command: string,
  ) {}

  add(line: string): void {
    if (this.problem) return;
    if (this.state === "other") {
      this.keep(`${line}\n`);
      return;
    }
    let from = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.state === "before") {
        if (c === 32 || c === 9 || c === 13) continue;
        if (c !== 123 /* { */) {
          this.state = "other";
          this.keep(`${line.slice(i)}\n`);
          return;
        }
        this.state = "object";
        this.depth = 1;
        from = i + 1;
        continue;
      }
      if (this.state === "after") {
        if (c === 32 || c === 9 || c === 13) continue;
        this.problem = `text after the JSON object: "${line.slice(i, i + 40)}"`;
        return;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.keep(line.slice(from, i));
          this.member();
          this.state = "after";
          from = i + 1;
        }
      } else if (c === 44 /* , */ && this.depth === 1) {
        this.keep(line.slice(from, i));
        this.member();
        from = i + 1;
      }
    }
    if (this.state === "object") this.keep(`${line.slice(from)}\n`);
  }

  /**
   * The object JSON.parse would give the whole output.
   * @throws CassperfError past {@link JSON_OUTPUT_MAX_CHARS} in one member; Error (JSON.parse's, or what was wrong) when it is not valid JSON
   */
  doc(): Record<string, unknown> {
    if (this.longest > JSON_OUTPUT_MAX_CHARS)
      throw new CassperfError(
        `${this.file}: a JSON nodetool output is read a member at a time; this one has a member of ${(this.longest / 2 ** 20).toFixed(1)} MB, past the limit of ${JSON_OUTPUT_MAX_CHARS / 2 ** 20} MB.`,
        { hint: `record the text output (${this.command} without -F json): it is read line by line, whatever its size` },
      );
    if (this.problem) throw new Error(this.problem);
    if (this.state === "other") return JSON.parse(this.pieces.join("")) as Record<string, unknown>;
    if (this.state === "before") return JSON.parse("") as Record<string, unknown>; // JSON.parse's own "Unexpected end of JSON input"
    if (this.state === "object") throw new Error("unexpected end of the output inside the JSON object");
    return this.parsed;
  }

  /** Add to the member (or other text) being read; past the limit only its length is counted. */
  private keep(piece: string): void {
    this.pieceChars += piece.length;
    if (this.pieceChars > this.longest) this.longest = this.pieceChars;
    if (this.pieceChars <= JSON_OUTPUT_MAX_CHARS) this.pieces.push(piece);
    else this.pieces = [];
  }

  /** The member read: parsed alone, its key and value added (a later duplicate key wins, as in JSON.parse). */
  private member(): void {
    const text = this.pieces.join("");
    const over = this.pieceChars > JSON_OUTPUT_MAX_CHARS;
    this.pieces = [];
    this.pieceChars = 0;
    if (over || this.problem) return;
    if (text.trim() === "") {
      if (Object.keys(this.parsed).length || this.state !== "object" || this.depth !== 0) this.problem = "an empty member in the JSON object";
      return;
    }
    try {
      const one = JSON.parse(`{${text}}`) as Record<string, unknown>;
      // Defined, not assigned: a "__proto__" key stays a key, as JSON.parse keeps it.
      for (const k of Object.keys(one)) Object.defineProperty(this.parsed, k, { value: one[k], enumerable: true, writable: true, configurable: true });
    } catch (e) {
      this.problem = (e as Error).message;
    }
  }
}
