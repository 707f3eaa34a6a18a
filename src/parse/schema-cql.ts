/**
 * Schema as CQL text (cqlsh DESCRIBE output, a bundle's driver/schema, a dataset's schema.cql):
 * keyspaces and tables with what compaction advice needs — columns and types, partition and
 * clustering keys, clustering order, compaction class and options, default_time_to_live,
 * gc_grace_seconds. Pure text -> rows.
 *
 * Statements are split on `;` outside quotes; each is matched against a small rule table
 * (CREATE KEYSPACE, CREATE TABLE, anything else ignored: indexes, types, functions, views).
 */

export interface ColumnDef {
  name: string;
  type: string;
}

export interface TableSchema {
  keyspace: string;
  table: string;
  columns: ColumnDef[];
  partitionKey: string[];
  clustering: { name: string; type: string; order: "ASC" | "DESC" }[];
  /** Compaction class, short form (SizeTieredCompactionStrategy, LeveledCompactionStrategy, ...). */
  compactionClass: string | null;
  /** Compaction sub-options as printed (min_threshold, sstable_size_in_mb, compaction_window_unit, ...). */
  compactionOptions: Record<string, string>;
  defaultTtl: number | null;
  gcGraceSeconds: number | null;
  /** Every WITH option as printed, name -> raw text. */
  options: Record<string, string>;
  /** 1-based line of the CREATE TABLE. */
  line: number;
}

export interface KeyspaceSchema {
  keyspace: string;
  replication: Record<string, string>;
  line: number;
}

export interface SchemaParse {
  keyspaces: KeyspaceSchema[];
  tables: TableSchema[];
  /** Statements that looked like CREATE TABLE but could not be read: line and reason. */
  skipped: { line: number; text: string; reason: string }[];
}

/** Unquote a CQL identifier: "MyTable" keeps case, bare names fold to lower case. */
export function unquoteIdent(s: string): string {
  const t = s.trim();
  if (t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/""/g, '"');
  return t.toLowerCase();
}

/** Split text into statements at `;` outside quotes and comments, keeping each one's first line. */
export function splitStatements(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let cur = "";
  let line = 1;
  let startLine = 1;
  let quote: string | null = null;
  // Whether `cur` holds anything but white space (checked per character, so no cur.trim() here).
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (quote) {
      cur += c;
      if (c === quote) {
        if (text[i + 1] === quote) {
          cur += text[++i];
        } else quote = null;
      }
      continue;
    }
    if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
      line++;
      cur += "\n";
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    if (c === ";") {
      if (started) out.push({ text: cur.trim(), line: startLine });
      cur = "";
      started = false;
      continue;
    }
    if (!started && /\S/.test(c)) {
      startLine = line;
      started = true;
    }
    cur += c;
  }
  if (cur.trim()) out.push({ text: cur.trim(), line: startLine });
  return out;
}

/** Split at top-level commas (not inside <>, (), {}, or quotes). */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  let quote: string | null = null;
  for (const c of s) {
    if (quote) {
      cur += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if ("<({".includes(c)) depth++;
    else if (">)}".includes(c)) depth--;
    if (c === "," && depth === 0) {
      parts.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** Parse a CQL map literal `{'a': 'b', 'c': 1}` (also the JSON-in-a-string form of 2.1: `'{"keys":"ALL"}'`). */
export function parseMapLiteral(s: string): Record<string, string> {
  let t = s.trim();
  if (t.startsWith("'") && t.endsWith("'")) t = t.slice(1, -1).replace(/''/g, "'");
  if (!t.startsWith("{")) return {};
  const out: Record<string, string> = {};
  for (const part of splitTop(t.slice(1, -1))) {
    const m = /^\s*['"]([^'"]*)['"]\s*:\s*(.*)$/.exec(part);
    if (m) out[m[1]] = m[2].trim().replace(/^['"]|['"]$/g, "");
  }
  return out;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z0-9_]+)`;
const CREATE_TABLE = new RegExp(
  String.raw`^CREATE\s+(?:TABLE|COLUMNFAMILY)\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\.(${IDENT})\s*\(([\s\S]*)\)\s*(?:WITH\s+([\s\S]*))?$`,
  "i",
);
const CREATE_KEYSPACE = new RegExp(String.raw`^CREATE\s+KEYSPACE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s+WITH\s+replication\s*=\s*(\{[^}]*\})`, "i");
/** One column definition of a CREATE TABLE body: `name type [PRIMARY KEY] [static]`. */
const COLUMN_DEF = new RegExp(String.raw`^(${IDENT})\s+([\s\S]+?)(\s+PRIMARY\s+KEY)?(\s+static)?$`, "i");
/** One item of CLUSTERING ORDER BY (...): `name ASC|DESC`. */
const CLUSTERING_ITEM = new RegExp(String.raw`^(${IDENT})\s+(ASC|DESC)$`, "i");

/** Find the matching close paren of the column list (the body regex is greedy up to the last ')'). */
function splitBodyAndWith(statement: string): { body: string; withPart: string } | undefined {
  const open = statement.indexOf("(");
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < statement.length; i++) {
    if (statement[i] === "(") depth++;
    else if (statement[i] === ")") {
      depth--;
      if (depth === 0) {
        const rest = statement.slice(i + 1).trim();
        return { body: statement.slice(open + 1, i), withPart: rest.replace(/^WITH\s+/i, "") };
      }
    }
  }
  return undefined;
}

/** Parse schema text into keyspaces and tables. */
export function parseSchemaCql(text: string): SchemaParse {
  const out: SchemaParse = { keyspaces: [], tables: [], skipped: [] };
  if (!text.trim()) return out;
  for (const st of splitStatements(text)) {
    const ks = CREATE_KEYSPACE.exec(st.text);
    if (ks) {
      out.keyspaces.push({ keyspace: unquoteIdent(ks[1]), replication: parseMapLiteral(ks[2]), line: st.line });
      continue;
    }
    if (!/^CREATE\s+(TABLE|COLUMNFAMILY)\b/i.test(st.text)) continue;
    const m = CREATE_TABLE.exec(st.text);
    const parts = splitBodyAndWith(st.text);
    if (!m || !parts) {
      out.skipped.push({ line: st.line, text: st.text.slice(0, 80), reason: "not a CREATE TABLE keyspace.table (...) statement" });
      continue;
    }
    const keyspace = unquoteIdent(m[1]);
    const table = unquoteIdent(m[2]);
    const columns: ColumnDef[] = [];
    let partitionKey: string[] = [];
    let clusteringNames: string[] = [];
    for (const def of splitTop(parts.body)) {
      const pk = /^PRIMARY\s+KEY\s*\(([\s\S]*)\)$/i.exec(def);
      if (pk) {
        const keys = splitTop(pk[1]);
        const first = keys[0] ?? "";
        partitionKey = first.startsWith("(") ? splitTop(first.slice(1, -1)).map(unquoteIdent) : [unquoteIdent(first)];
        clusteringNames = keys.slice(1).map(unquoteIdent);
        continue;
      }
      const col = COLUMN_DEF.exec(def);
      if (!col) continue;
      const name = unquoteIdent(col[1]);
      columns.push({ name, type: col[2].trim() });
      if (col[3]) partitionKey = [name];
    }
    const options: Record<string, string> = {};
    for (const opt of parts.withPart.split(/\s+AND\s+(?=[A-Za-z_]+\s*=|CLUSTERING\s+ORDER)/i)) {
      const co = /^CLUSTERING\s+ORDER\s+BY\s*\(([^)]*)\)/i.exec(opt.trim());
      if (co) {
        options["clustering order"] = co[1];
        continue;
      }
      const kv = /^([A-Za-z_]+)\s*=\s*([\s\S]*)$/.exec(opt.trim());
      if (kv) options[kv[1].toLowerCase()] = kv[2].trim();
    }
    const order: Record<string, "ASC" | "DESC"> = {};
    for (const o of splitTop(options["clustering order"] ?? "")) {
      const mm = CLUSTERING_ITEM.exec(o.trim());
      if (mm) order[unquoteIdent(mm[1])] = mm[2].toUpperCase() as "ASC" | "DESC";
    }
    const compaction = parseMapLiteral(options.compaction ?? "");
    const cls = compaction.class ?? null;
    delete compaction.class;
    const num = (v: string | undefined) => (v === undefined || !/^-?\d+(\.\d+)?$/.test(v.trim()) ? null : Number(v));
    out.tables.push({
      keyspace,
      table,
      columns,
      partitionKey,
      clustering: clusteringNames.map((n) => ({ name: n, type: columns.find((c) => c.name === n)?.type ?? "unknown", order: order[n] ?? "ASC" })),
      compactionClass: cls ? cls.split(".").pop()! : null,
      compactionOptions: compaction,
      defaultTtl: num(options.default_time_to_live),
      gcGraceSeconds: num(options.gc_grace_seconds),
      options,
      line: st.line,
    });
  }
  return out;
}
