/**
 * CQL identifiers: user input (keyspace and table names) never reaches CQL by string
 * concatenation. Names are validated, then double-quoted with embedded quotes doubled, exactly as
 * CQL's grammar defines quoted identifiers; values always go as bound parameters.
 */
import { CassperfError } from "../errors";

/** A keyspace-qualified table name. */
export interface TableName {
  keyspace: string;
  table: string;
}

/** Quote a CQL identifier: `Orders` -> `"Orders"`, `we"ird` -> `"we""ird"`. */
export function quoteIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new CassperfError("expected a non-empty CQL identifier.");
  if (name.length > 222) throw new CassperfError(`"${name.slice(0, 40)}…" is longer than the 222 characters Cassandra allows for a name.`);
  if (/[\u0000-\u001f]/.test(name)) throw new CassperfError(`${JSON.stringify(name)} contains control characters; it cannot be a Cassandra name.`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"ks"."tbl"` for a table. */
export function quoteTable(t: TableName): string {
  return `${quoteIdent(t.keyspace)}.${quoteIdent(t.table)}`;
}

/**
 * Parse `ks.table`, `"Ks"."Table"` or `{ keyspace, table }`. Unquoted names are case-insensitive in
 * CQL (folded to lower case); quoted names keep their case.
 * @example parseTableName("shop.orders")            // { keyspace: "shop", table: "orders" }
 * @example parseTableName('"Shop"."Orders"')        // { keyspace: "Shop", table: "Orders" }
 */
export function parseTableName(input: string | TableName, helper: string): TableName {
  if (input && typeof input === "object" && typeof input.keyspace === "string" && typeof input.table === "string")
    return { keyspace: input.keyspace, table: input.table };
  if (typeof input !== "string" || !input.trim()) {
    throw new CassperfError(`${helper}: expected a table as "keyspace.table" (or { keyspace, table }); got ${JSON.stringify(input)}.`);
  }
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([A-Za-z0-9_]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < input.length && (m = re.exec(input))) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toLowerCase());
    pos = re.lastIndex;
    if (m[3] === "") break;
  }
  if (pos < input.length || parts.length !== 2) {
    throw new CassperfError(
      `${helper}: ${JSON.stringify(input)} is not a table name; expected "keyspace.table" (quote names with upper case or odd characters: '"MyKs"."My Table"').`,
    );
  }
  return { keyspace: parts[0], table: parts[1] };
}
