/**
 * nodetool proxyhistograms text -> rows: the coordinator's (StorageProxy's) latency percentiles.
 *
 * 2.1/2.2 print 3 columns (Read, Write, Range Latency); 3.x+ and DSE print 6 (adding CAS Read,
 * CAS Write, View Write Latency) with `%-10s%19.2f...` (ProxyHistograms.java); 2.0 and older print
 * a bucket list (`Offset Read Latency Write Latency Range Latency`) or verbose sections. All forms
 * share the table-histogram line rules (./nodetool-tablehistograms.ts); this file only checks that
 * the text is the proxy section and names the rows table "proxy", keyspace null.
 *
 * Line rules: as in nodetool-tablehistograms.ts; in addition
 * | rule        | example                          | effect                                      |
 * |-------------|----------------------------------|---------------------------------------------|
 * | proxy-title | proxy histograms                 | starts the section (table "proxy")          |
 * | no title    | Percentile  Read Latency ...     | accepted: the rows are taken as proxy rows  |
 */
import { TablehistogramsLines, type HistogramParse } from "./nodetool-tablehistograms";
import { parseLines, type LineParser, type ParseOptions } from "./nodetool-common";

/**
 * The proxyhistograms parser fed one line at a time ({@link LineParser}): the table-histogram
 * parser's lines, then rows and tables without a title named "proxy" (keyspace null).
 * @example const p = new ProxyhistogramsLines({ file }); lines.forEach((l, i) => p.feed(l, i + 1)); p.end().rows
 */
export class ProxyhistogramsLines implements LineParser<HistogramParse> {
  private readonly lines: TablehistogramsLines;

  constructor(options: ParseOptions = {}) {
    this.lines = new TablehistogramsLines({ file: options.file ?? "proxyhistograms output" });
  }

  feed(line: string, n: number): void {
    this.lines.feed(line, n);
  }

  end(): HistogramParse {
    const parsed = this.lines.end();
    for (const r of parsed.rows)
      if (r.table === "?") {
        r.table = "proxy";
        r.keyspace = null;
      }
    for (const t of parsed.tables)
      if (t.table === "?") {
        t.table = "proxy";
        t.keyspace = null;
      }
    return parsed;
  }
}

/**
 * Parse `nodetool proxyhistograms` output: {@link ProxyhistogramsLines} fed the text's lines.
 * @throws CassperfError naming the file and line when a header has a column this parser does not know
 * @example parseProxyhistograms(text, { file: "nodes/10.0.0.1/nodetool/proxyhistograms" }).rows.filter(r => r.metric === "read_latency")
 */
export function parseProxyhistograms(text: string, options: ParseOptions = {}): HistogramParse {
  return parseLines(new ProxyhistogramsLines(options), text);
}
