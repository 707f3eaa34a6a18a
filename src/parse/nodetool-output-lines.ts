/**
 * The part every nodetool text parser fed line by line shares (tpstats, compactionstats, info, clientstats, tablehistograms, tablestats):
 * an output of only blank lines is empty, an output that is nodetool's own error message gives
 * that message (decided on the whole output, by nodetool-common.ts NodetoolErrorLines), and only then does a
 * failure a line raised (an unknown header) or the parser's final check count. Lines are fed to the
 * parser's rules as they come; an error output is known only at the end, so a line's failure is kept
 * and thrown from end() unless the output turns out to be an error message.
 */
import { NodetoolErrorLines, type LineParser } from "./nodetool-common";

/** A nodetool output parser fed line by line; subclasses give the rules ({@link line}) and the result. */
export abstract class NodetoolOutputLines<T extends { nodetoolError?: string }> implements LineParser<T> {
  private readonly error = new NodetoolErrorLines();
  /** A line that is not blank was seen (an output of blank lines only is empty, not an error). */
  private nonBlank = false;
  /** The first failure a line raised; the lines after it are not parsed (the whole-text parse stopped there). */
  private failure: { error: unknown } | undefined;

  /** The result of an empty output (and, with nodetoolError, of an error output). */
  protected abstract empty(): T;
  /** Apply the line rules to one line (1-based `n`); may throw (kept until end()). */
  protected abstract line(line: string, n: number): void;
  /** The result once every line was fed; may throw when nothing of the output was recognised. */
  protected abstract result(): T;

  feed(line: string, lineNo: number): void {
    this.error.feed(line);
    if (!this.nonBlank && line.trim() !== "") this.nonBlank = true;
    if (this.failure) return;
    try {
      this.line(line, lineNo);
    } catch (e) {
      this.failure = { error: e };
    }
  }

  end(): T {
    if (!this.nonBlank) return this.empty();
    const err = this.error.end();
    if (err) return { ...this.empty(), nodetoolError: err };
    if (this.failure) throw this.failure.error;
    return this.result();
  }
}
