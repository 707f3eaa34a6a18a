/**
 * `nodetool clientstats` (Cassandra 4.0+, tools/nodetool/ClientStats.java) in each of its shapes:
 *  - default: `Total connected clients: N`, a blank line, then a table `User Connections`;
 *  - `--all`: first a table `Address SSL Cipher Protocol Version User Keyspace Requests Driver-Name
 *    Driver-Version` (one row per connection), a blank line, then the default output;
 *  - `--client-options` (4.1+): the same table with a last `Client-Options` column
 *    (`CQL_VERSION=3.0.0, DRIVER_NAME=...`);
 *  - `--by-protocol`: `Clients by protocol version`, a blank line, a table `Protocol-Version
 *    IP-Address Last-Seen`.
 * The tables come from nodetool's TableBuilder, which pads every cell to its column's widest cell
 * and joins cells with one space: a column starts where its header word starts. Cells are cut at
 * those offsets, which keeps driver names with spaces ("DataStax Java driver for Apache
 * Cassandra(R)") and empty cells (no keyspace yet) in their columns. A row whose cut does not fall
 * on a space (the text was re-spaced when it was copied) is split on whitespace instead when that
 * gives one cell per column; otherwise it is skipped with the reason.
 *
 * Values as ConnectedClient.asMap() prints them: Address is InetSocketAddress.toString()
 * ("/10.0.0.5:50124" or "app1/10.0.0.5:50124"), SSL "true"/"false", Cipher and Protocol (the TLS
 * protocol) "undefined" without TLS, Version the native protocol version ("5"), User "anonymous"
 * under AllowAllAuthenticator, Driver-Name/-Version "undefined" when the driver did not say.
 *
 * Line rules (first match wins):
 * | rule         | example                                                    | effect                      |
 * |--------------|------------------------------------------------------------|-----------------------------|
 * | blank        | ""                                                         | ends the current table      |
 * | noise        | WARNING: An illegal reflective access operation ...        | skipped, counted            |
 * | total        | Total connected clients: 3                                 | total_connected             |
 * | title        | Clients by protocol version                                | skipped (a title)           |
 * | header       | Address SSL Cipher ... / User Connections / Protocol-Version IP-Address Last-Seen | starts that table |
 * | row          | /10.0.0.5:50124 false undefined undefined 5 anonymous ...  | one row of the open table   |
 * | other        | anything else                                              | skipped, line kept          |
 */
import { CassperfError } from "../errors";
import { isNoise, num, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** One client connection (`clientstats --all` or `--client-options`). */
export interface ClientConnection {
  /** As printed: "/10.0.0.5:50124" (InetSocketAddress.toString). */
  address: string;
  /** The client's IP, without host name, slash and port: "10.0.0.5". */
  client: string;
  ssl: boolean | null;
  /** TLS cipher suite; null when printed "undefined" (no TLS). */
  cipher: string | null;
  /** TLS protocol ("TLSv1.3"); null when printed "undefined". */
  tls_protocol: string | null;
  /** Native protocol version (3, 4, 5). */
  protocol_version: number | null;
  user: string | null;
  /** The connection's keyspace (USE); null when empty. */
  keyspace: string | null;
  /** Requests served on this connection so far. */
  requests: number | null;
  driver_name: string | null;
  driver_version: string | null;
  /** `--client-options` only: the STARTUP options as printed. */
  client_options: string | null;
  line: number;
}

/** One row of the `User Connections` table. */
export interface ClientsByUser {
  user: string;
  connections: number | null;
  line: number;
}

/** One row of `clientstats --by-protocol`. */
export interface ClientByProtocol {
  protocol_version: number | null;
  address: string;
  /** "Nov 24, 2026 10:15:02" as printed (the node's time zone). */
  last_seen: string;
  line: number;
}

/** What {@link parseClientstats} returns. */
export interface ClientstatsParse {
  /** `Total connected clients: N`; null when the output has no such line (--by-protocol). */
  total_connected: number | null;
  total_line: number | null;
  connections: ClientConnection[];
  by_user: ClientsByUser[];
  by_protocol: ClientByProtocol[];
  skipped: SkippedLine[];
  noise: number;
  nodetoolError?: string;
}

type Table = "connections" | "by_user" | "by_protocol";

/** Header lines, by the table they start. */
const HEADERS: { table: Table; test: RegExp }[] = [
  { table: "connections", test: /^Address\s+SSL\s+Cipher\s+Protocol\s+Version\s+User\s+Keyspace\s+Requests\s+Driver-Name\s+Driver-Version\b/ },
  { table: "by_user", test: /^User\s+Connections\s*$/ },
  { table: "by_protocol", test: /^Protocol-Version\s+IP-Address\s+Last-Seen\s*$/ },
];

/** Start offsets of the header words (TableBuilder columns). */
function columnStarts(header: string): number[] {
  const starts: number[] = [];
  const re = /\S+/g;
  for (let m = re.exec(header); m; m = re.exec(header)) starts.push(m.index);
  return starts;
}

/**
 * Cut a row at the header's column offsets; null when a cut falls inside a word (re-spaced text)
 * and whitespace does not give exactly one cell per column either.
 */
function cells(row: string, starts: number[]): string[] | null {
  const fixed = starts.every((s, i) => i === 0 || s >= row.length || row[s - 1] === " ");
  if (fixed) return starts.map((s, i) => row.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trim());
  const words = row.trim().split(/\s+/);
  return words.length === starts.length ? words : null;
}

const orNull = (s: string | undefined) => (s === undefined || s === "" || s === "undefined" || s === "null" ? null : s);

/** "/10.0.0.5:50124", "app1/10.0.0.5:50124", "/[::1]:50124" → the IP. */
export function clientIp(address: string): string {
  const afterSlash = address.includes("/") ? address.slice(address.lastIndexOf("/") + 1) : address;
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(afterSlash);
  if (v6) return v6[1];
  return afterSlash.replace(/:\d+$/, "");
}

/**
 * Parse `nodetool clientstats` output (any of its shapes).
 * @throws CassperfError naming the file when no line of it is clientstats output
 * @example parseClientstats(text, { file: "nodes/10.0.0.1/nodetool/clientstats" }).connections[0].driver_name
 */
export function parseClientstats(text: string, options: ParseOptions = {}): ClientstatsParse {
  return parseLines(new ClientstatsLines(options), text);
}

/**
 * {@link parseClientstats} fed line by line (Source.readLineBlocks through streamedNodetool): the state
 * is the result so far, the open table and its column offsets, and the file's first line (named
 * when nothing of it is clientstats).
 * @example const p = new ClientstatsLines({ file: "clientstats" }); p.feed("Total connected clients: 3", 1); p.end().total_connected
 */
export class ClientstatsLines extends NodetoolOutputLines<ClientstatsParse> {
  private readonly file: string;
  private readonly out = this.empty();
  private table: { kind: Table; starts: number[] } | undefined;
  private recognised = 0;
  private first: string | undefined;

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "clientstats output";
  }

  protected empty(): ClientstatsParse {
    return { total_connected: null, total_line: null, connections: [], by_user: [], by_protocol: [], skipped: [], noise: 0 };
  }

  protected line(line: string, n: number): void {
    const out = this.out;
    this.first ??= line;
    if (line.trim() === "") {
      this.table = undefined;
      return;
    }
    if (isNoise(line)) {
      out.noise++;
      return;
    }
    const total = /^Total connected clients:\s*(\d+)\s*$/.exec(line);
    if (total) {
      out.total_connected = Number(total[1]);
      out.total_line = n;
      this.table = undefined;
      this.recognised++;
      return;
    }
    if (/^Clients by protocol version\s*$/.test(line)) {
      this.recognised++;
      return;
    }
    const header = HEADERS.find((h) => h.test.test(line));
    if (header) {
      this.table = { kind: header.table, starts: columnStarts(line) };
      this.recognised++;
      return;
    }
    if (!this.table) {
      out.skipped.push({ line: n, text: line, reason: "not under a clientstats table header" });
      return;
    }
    const table = this.table;
    const c = cells(line, table.starts);
    if (!c) {
      out.skipped.push({ line: n, text: line, reason: `expected ${table.starts.length} columns under the header (TableBuilder layout)` });
      return;
    }
    if (table.kind === "by_user") {
      out.by_user.push({ user: c[0], connections: num(c[1]), line: n });
    } else if (table.kind === "by_protocol") {
      out.by_protocol.push({ protocol_version: num(c[0]), address: c[1], last_seen: c[2], line: n });
    } else {
      out.connections.push({
        address: c[0],
        client: clientIp(c[0]),
        ssl: c[1] === "true" ? true : c[1] === "false" ? false : null,
        cipher: orNull(c[2]),
        tls_protocol: orNull(c[3]),
        protocol_version: num(c[4]),
        user: orNull(c[5]),
        keyspace: orNull(c[6]),
        requests: num(c[7]),
        driver_name: orNull(c[8]),
        driver_version: orNull(c[9]),
        client_options: c.length > 10 ? orNull(c[10]) : null,
        line: n,
      });
    }
    this.recognised++;
  }

  protected result(): ClientstatsParse {
    if (!this.recognised)
      throw new CassperfError(`${this.file}: no line of it is nodetool clientstats output (line 1: ${JSON.stringify((this.first ?? "").slice(0, 80))}).`, {
        hint: 'expected "Total connected clients: N" or a table starting "Address  SSL  Cipher ..." (nodetool clientstats --all, Cassandra 4.0+)',
      });
    return this.out;
  }
}
