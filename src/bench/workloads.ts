/**
 * The built-in bench workloads (five: writes, reads, mixed, large-partitions,
 * time-series) and the custom one (CQL statements with value generators).
 *
 * A workload is a schema (tables in the bench keyspace only), an optional data set to load before
 * measuring (reads need rows to read), and weighted operations, each a CQL statement plus a
 * function giving its bound values. Statements name tables as `{ks}.table`; `{ks}` is replaced by
 * the bench keyspace. A custom statement that writes to another keyspace is refused unless that
 * keyspace is named in `allowWritesTo` (bench never writes elsewhere unless told by name).
 */
import { CassperfError, shownValue } from "../errors";
import { gen, valuesFrom, type Generator, type Rng } from "./generators";

/** One operation type of a workload. */
export interface WorkloadOp {
  /** The op type: a row per op type in `intervals` (e.g. "write", "read"). */
  name: string;
  /** Reads are judged by the READ_P99_MS rule; writes count toward peak write throughput. */
  kind: "read" | "write";
  cql: string;
  /** Relative weight when a workload mixes operations. */
  weight: number;
  /** Bound values for this op's i-th call. */
  values: (i: number, rng: Rng) => unknown[];
  /** CQL types of the values, for unprepared statements (the driver cannot tell an int from a double). */
  hints?: string[];
}

/** A resolved workload. */
export interface Workload {
  name: string;
  /** CREATE TABLE IF NOT EXISTS ... statements, `{ks}` already replaced. */
  schema: string[];
  /** Rows to load before measuring (not measured): statement and count. */
  load?: { op: WorkloadOp; count: number; check: string; checkValues: unknown[] };
  ops: WorkloadOp[];
  /** Sizes that define the data (keys, partitions, ...), saved with the run's config. */
  shape: Record<string, unknown>;
}

/** A custom operation: a statement and its value generators (or a function giving the values). */
export interface CustomOp {
  /** CQL with `?` markers; name tables `{ks}.table` (the bench keyspace) or `otherks.table` when allowed. */
  cql: string;
  /** One generator (or literal) per `?`, or a function of (i, rng) giving them all. */
  values?: (Generator | unknown)[] | ((i: number, rng: Rng) => unknown[]);
  /** Relative weight. Default 1. */
  weight?: number;
  /** "read" or "write"; default: guessed from the statement (SELECT = read). */
  kind?: "read" | "write";
  /** CQL types of the values, needed only with { prepared: false } for int/float columns. @example hints: ["int", "text"] */
  hints?: string[];
}

/** A custom workload. */
export interface CustomWorkload {
  /** CREATE TABLE IF NOT EXISTS {ks}.t ... statements run before the workload. */
  schema?: string[];
  /** Operations by name (the op types of the report). */
  ops: Record<string, CustomOp>;
  /** Load `count` rows with the named op before measuring (not measured). */
  load?: { op: string; count: number };
}

/** Workload-shaping options (part of the bench options). */
export interface WorkloadOptions {
  /** reads/mixed: number of distinct keys, loaded before measuring. Default 10,000. writes: sequential keys from 0, wrapping at `keys` when given. */
  keys?: number;
  /** Bytes per value column (writes/reads/mixed use 5 blob columns, like cassandra-stress's standard1). Default 34. */
  valueSize?: number;
  /** mixed / large-partitions / time-series: relative weights of reads and writes. Default mixed 1:1, large-partitions 1:1, time-series write 9 : read 1. */
  ratio?: { read?: number; write?: number };
  /** large-partitions: number of partitions. Default 10. */
  partitions?: number;
  /** large-partitions: rows per partition loaded before measuring. Default 1,000. */
  rowsPerPartition?: number;
  /** large-partitions / time-series reads: rows per read (LIMIT). Default large-partitions 100, time-series 10. */
  sliceRows?: number;
  /** time-series: number of series (sensors). Default 100. */
  series?: number;
  /** The custom workload (with workload "custom"). */
  custom?: CustomWorkload;
  /** Keyspaces a custom workload may write to besides the bench keyspace (bench never writes elsewhere unless named here). */
  allowWritesTo?: string[];
}

/** Names of the built-in workloads. */
export const WORKLOADS = ["writes", "reads", "mixed", "large-partitions", "time-series", "custom"] as const;

const ks = (cql: string, keyspace: string) => cql.replace(/\{ks\}|\{keyspace\}/g, keyspace);

/** Five blob columns + a bigint key: the shape of cassandra-stress's standard1 table (2.1 defaults: 5 columns of 34 bytes). */
function standardTable(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${keyspace}.standard (key bigint PRIMARY KEY, c0 blob, c1 blob, c2 blob, c3 blob, c4 blob)`;
}

function standardWrite(keyspace: string, valueSize: number, keyOf: (i: number, rng: Rng) => number): WorkloadOp {
  const blob = gen.blob(valueSize);
  const { Long } = require("cassandra-driver").types as typeof import("cassandra-driver").types;
  return {
    name: "write",
    kind: "write",
    weight: 1,
    cql: `INSERT INTO ${keyspace}.standard (key, c0, c1, c2, c3, c4) VALUES (?, ?, ?, ?, ?, ?)`,
    values: (i, rng) => {
      const b = blob(i, rng);
      return [Long.fromNumber(keyOf(i, rng)), b, b, b, b, b];
    },
  };
}

function standardRead(keyspace: string, keys: number): WorkloadOp {
  const { Long } = require("cassandra-driver").types as typeof import("cassandra-driver").types;
  return {
    name: "read",
    kind: "read",
    weight: 1,
    cql: `SELECT * FROM ${keyspace}.standard WHERE key = ?`,
    values: (_i, rng) => [Long.fromNumber(rng.int(0, keys - 1))],
  };
}

const DAY_MS = 86_400_000;

/** A function giving today's UTC date as YYYY-MM-DD; the string is made once per day, not per call. */
function utcDay(): () => string {
  let dayNumber = Number.NaN;
  let text = "";
  return () => {
    const n = Math.floor(Date.now() / DAY_MS);
    if (n !== dayNumber) {
      dayNumber = n;
      text = new Date(n * DAY_MS).toISOString().slice(0, 10);
    }
    return text;
  };
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v <= 0) throw new CassperfError(`bench: option ${name} must be a positive integer; got ${shownValue(v)}.`);
  return v;
}

function ratioOf(o: WorkloadOptions, dflt: { read: number; write: number }): { read: number; write: number } {
  const r = { read: o.ratio?.read ?? dflt.read, write: o.ratio?.write ?? dflt.write };
  if (!(r.read >= 0 && r.write >= 0 && r.read + r.write > 0))
    throw new CassperfError(`bench: ratio must give non-negative weights with a positive sum, e.g. { read: 1, write: 3 }; got ${shownValue(o.ratio)}.`);
  return r;
}

/** Keyspaces a statement writes to (qualified names after INSERT INTO / UPDATE / DELETE FROM / TRUNCATE / CREATE / DROP / ALTER). */
function keyspacesWritten(cql: string): { qualified: string[]; unqualified: boolean } {
  const re =
    /\b(?:INSERT\s+INTO|UPDATE|DELETE\b[^;]*?\bFROM|TRUNCATE(?:\s+TABLE)?|(?:CREATE|DROP|ALTER)\s+(?:TABLE|INDEX|TYPE|MATERIALIZED\s+VIEW)(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+("?[\w]+"?)(\.("?[\w]+"?))?/gi;
  const qualified: string[] = [];
  let unqualified = false;
  for (const m of cql.matchAll(re)) {
    if (m[2]) qualified.push(m[1].replace(/"/g, ""));
    else if (!/^\s*CREATE\s+INDEX/i.test(m[0])) unqualified = true;
  }
  return { qualified, unqualified };
}

function guardWrites(cql: string, keyspace: string, allowed: string[], where: string): void {
  const { qualified, unqualified } = keyspacesWritten(cql);
  if (unqualified)
    throw new CassperfError(
      `bench: ${where} writes to a table without a keyspace: "${cql}". Name it {ks}.table (the bench keyspace ${keyspace}) or otherks.table.`,
    );
  for (const k of qualified) {
    if (k.toLowerCase() === keyspace.toLowerCase()) continue;
    if (!allowed.some((a) => a.toLowerCase() === k.toLowerCase())) {
      throw new CassperfError(`bench: ${where} writes to keyspace ${k}, but bench only writes to its own keyspace ${keyspace} unless told by name.`, {
        hint: `add allowWritesTo: ["${k}"] to the options if you mean it`,
      });
    }
  }
}

/**
 * Resolve a workload name and options to statements and generators.
 * @example resolveWorkload("mixed", "cassperf_bench", { ratio: { read: 3, write: 1 } })
 */
export function resolveWorkload(name: string, keyspace: string, o: WorkloadOptions = {}): Workload {
  const { Long } = require("cassandra-driver").types as typeof import("cassandra-driver").types;
  const keys = positive("keys", o.keys, 10_000);
  const valueSize = positive("valueSize", o.valueSize, 34);
  switch (name) {
    case "writes":
      // Sequential keys from 0; with `keys`, wrapping at that many.
      return {
        name,
        schema: [standardTable(keyspace)],
        ops: [standardWrite(keyspace, valueSize, o.keys !== undefined ? (i) => i % keys : (i) => i)],
        shape: { keys: o.keys ?? "sequential, unbounded", valueSize, columns: 5 },
      };
    case "reads":
    case "mixed": {
      const load = standardWrite(keyspace, valueSize, (i) => i);
      const ops =
        name === "reads"
          ? [standardRead(keyspace, keys)]
          : (() => {
              const r = ratioOf(o, { read: 1, write: 1 });
              const w = standardWrite(keyspace, valueSize, (_i, rng) => rng.int(0, keys - 1));
              const rd = standardRead(keyspace, keys);
              return [
                { ...rd, weight: r.read },
                { ...w, weight: r.write },
              ].filter((op) => op.weight > 0);
            })();
      return {
        name,
        schema: [standardTable(keyspace)],
        load: { op: load, count: keys, check: `SELECT key FROM ${keyspace}.standard WHERE key = ?`, checkValues: [Long.fromNumber(keys - 1)] },
        ops,
        shape: { keys, valueSize, columns: 5, ...(name === "mixed" ? { ratio: ratioOf(o, { read: 1, write: 1 }) } : {}) },
      };
    }
    case "large-partitions": {
      const partitions = positive("partitions", o.partitions, 10);
      const rowsPerPartition = positive("rowsPerPartition", o.rowsPerPartition, 1_000);
      const sliceRows = positive("sliceRows", o.sliceRows, 100);
      const r = ratioOf(o, { read: 1, write: 1 });
      const blob = gen.blob(valueSize);
      const table = `${keyspace}.wide`;
      // Row i goes to partition i % partitions at clustering i / partitions: partitions grow evenly.
      const write = (offset: number): WorkloadOp => ({
        name: "write",
        kind: "write",
        weight: r.write,
        cql: `INSERT INTO ${table} (pk, ck, value) VALUES (?, ?, ?)`,
        values: (i, rng) => [Long.fromNumber(i % partitions), Long.fromNumber(offset + Math.floor(i / partitions)), blob(i, rng)],
      });
      const read: WorkloadOp = {
        name: "read",
        kind: "read",
        weight: r.read,
        cql: `SELECT ck, value FROM ${table} WHERE pk = ? LIMIT ${sliceRows}`,
        values: (_i, rng) => [Long.fromNumber(rng.int(0, partitions - 1))],
      };
      return {
        name,
        schema: [`CREATE TABLE IF NOT EXISTS ${table} (pk bigint, ck bigint, value blob, PRIMARY KEY (pk, ck))`],
        load: {
          op: write(0),
          count: partitions * rowsPerPartition,
          check: `SELECT ck FROM ${table} WHERE pk = ? AND ck = ?`,
          checkValues: [Long.fromNumber(partitions - 1), Long.fromNumber(rowsPerPartition - 1)],
        },
        // Measured writes append after the loaded rows.
        ops: [read, write(rowsPerPartition)].filter((op) => op.weight > 0),
        shape: { partitions, rowsPerPartition, sliceRows, valueSize, ratio: r },
      };
    }
    case "time-series": {
      const series = positive("series", o.series, 100);
      const sliceRows = positive("sliceRows", o.sliceRows, 10);
      const r = ratioOf(o, { read: 1, write: 9 });
      const table = `${keyspace}.series`;
      const day = utcDay();
      // One partition per series and day (a bounded partition: the usual time-series bucketing).
      const write: WorkloadOp = {
        name: "write",
        kind: "write",
        weight: r.write,
        cql: `INSERT INTO ${table} (series, day, ts, value) VALUES (?, ?, ?, ?)`,
        values: (i, rng) => [i % series, day(), new Date(), rng.next() * 100],
        hints: ["int", "text", "timestamp", "double"],
      };
      const read: WorkloadOp = {
        name: "read",
        kind: "read",
        weight: r.read,
        cql: `SELECT ts, value FROM ${table} WHERE series = ? AND day = ? LIMIT ${sliceRows}`,
        values: (_i, rng) => [rng.int(0, series - 1), day()],
        hints: ["int", "text"],
      };
      return {
        name,
        schema: [
          `CREATE TABLE IF NOT EXISTS ${table} (series int, day text, ts timestamp, value double, PRIMARY KEY ((series, day), ts)) WITH CLUSTERING ORDER BY (ts DESC)`,
        ],
        ops: [write, read].filter((op) => op.weight > 0),
        shape: { series, sliceRows, ratio: r },
      };
    }
    case "custom": {
      const c = o.custom;
      if (!c || typeof c !== "object" || !c.ops || typeof c.ops !== "object" || Object.keys(c.ops).length === 0) {
        throw new CassperfError('bench("custom"): expected options.custom = { ops: { name: { cql, values } } } with at least one operation.', {
          hint: 'bench("custom", { custom: { schema: ["CREATE TABLE IF NOT EXISTS {ks}.t (id int PRIMARY KEY, v text)"], ops: { insert: { cql: "INSERT INTO {ks}.t (id, v) VALUES (?, ?)", values: [gen.seq(), gen.text(20)] } } } })',
        });
      }
      const allowed = o.allowWritesTo ?? [];
      const schema = (c.schema ?? []).map((s, i) => {
        if (typeof s !== "string") throw new CassperfError(`bench("custom"): custom.schema[${i}] must be a CQL string.`);
        const q = ks(s, keyspace);
        guardWrites(q, keyspace, allowed, `custom.schema[${i}]`);
        return q;
      });
      const ops: WorkloadOp[] = Object.entries(c.ops).map(([opName, op]) => {
        if (!op || typeof op.cql !== "string") throw new CassperfError(`bench("custom"): custom.ops.${opName}.cql must be a CQL string.`);
        const cql = ks(op.cql, keyspace);
        const kind = op.kind ?? (/^\s*SELECT\b/i.test(cql) ? "read" : "write");
        if (kind === "write" || !/^\s*SELECT\b/i.test(cql)) guardWrites(cql, keyspace, allowed, `custom.ops.${opName}`);
        const markers = (cql.match(/\?/g) ?? []).length;
        const values = typeof op.values === "function" ? op.values : valuesFrom(op.values ?? []);
        if (Array.isArray(op.values) && op.values.length !== markers) {
          throw new CassperfError(`bench("custom"): custom.ops.${opName} has ${markers} "?" markers but ${op.values.length} value generators.`);
        }
        const weight = op.weight ?? 1;
        if (!(weight >= 0)) throw new CassperfError(`bench("custom"): custom.ops.${opName}.weight must be >= 0.`);
        return { name: opName, kind, cql, weight, values, ...(op.hints ? { hints: op.hints } : {}) };
      });
      let load: Workload["load"];
      if (c.load) {
        const op = ops.find((x) => x.name === c.load!.op);
        if (!op) throw new CassperfError(`bench("custom"): custom.load.op "${c.load.op}" is not one of the ops (${ops.map((x) => x.name).join(", ")}).`);
        load = { op, count: positive("custom.load.count", c.load.count, 1), check: "", checkValues: [] };
      }
      const measured = ops.filter((x) => x.weight > 0);
      if (measured.length === 0) throw new CassperfError('bench("custom"): every op has weight 0; give at least one a positive weight.');
      return {
        name,
        schema,
        ...(load ? { load } : {}),
        ops: measured,
        shape: { ops: Object.fromEntries(ops.map((x) => [x.name, { cql: x.cql, weight: x.weight, kind: x.kind }])) },
      };
    }
    default:
      throw new CassperfError(`bench: unknown workload ${JSON.stringify(name)}; expected one of ${WORKLOADS.join(", ")}.`);
  }
}

/** Weighted op picker: returns a function giving the op index for a uniform random number. */
export function opPicker(ops: WorkloadOp[]): (u: number) => number {
  if (ops.length === 1) return () => 0;
  const total = ops.reduce((s, o) => s + o.weight, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const o of ops) cum.push((acc += o.weight / total));
  return (u) => {
    for (let k = 0; k < cum.length; k++) if (u < cum[k]) return k;
    return cum.length - 1;
  };
}
