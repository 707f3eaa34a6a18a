/**
 * A node's kept events carried from a worker thread to the main thread as columns, not objects.
 * Structured clone of ~58,000 LogEvent objects (one Cassandra 2.1 node) took 130 ms to serialize in
 * the worker and 209 ms to deserialize in the main thread (24.6 MB): the worker path cost more CPU
 * than it saved. Here the worker writes every event's values into a few typed arrays (numbers,
 * value tags, string ids), short repeated strings into one table and long ones (messages, queries,
 * partition keys) as bytes with end offsets, all transferred (moved, not copied); the main thread
 * builds the same objects again (of the same class): same keys in the same order, a field that was
 * absent stays absent, `undefined` and `null` stay apart (deepStrictEqual to the events given).
 * Its messages are slices of one string per node (the text bytes, decoded once).
 *
 * Generic over the objects' shapes (the key lists met, in order), so a field added to LogEvent
 * needs no change here; a value that is not a number, string, boolean, null or undefined travels
 * by structured clone in `others`.
 */
import type { LogEvent } from "../../parse/log-rules";

/** The events as columns (plain data and typed arrays: see {@link eventColumnsTransfer} for what to transfer). */
export interface EventColumns {
  count: number;
  /** The key lists met, in order; `shape[i]` is event i's. */
  shapes: string[][];
  /** Each key list's prototype, an index into `protoNames`. */
  shapeProto: number[];
  /** The prototypes' names: "" a plain object, "null" none, else the class name (the main thread gives the classes it knows: {@link decodeEvents}). */
  protoNames: string[];
  shape: Uint16Array;
  /** One tag per value, events in order, keys in their shape's order (see TAG). */
  tags: Uint8Array;
  numbers: Float64Array;
  /** Ids into `table` (TAG.table values) in value order. */
  ids: Uint32Array;
  table: string[];
  /**
   * Long strings (TAG.text), one after another as Latin-1 bytes; `textEnds[j]` is where the j-th ends. A string with a
   * character past U+00FF (TAG.wide) is in `wide` as UTF-16LE, ending at `wideEnds[j]` (in characters). Bytes, not a
   * string: a transferred buffer costs nothing to post, where structured clone copied a joined string at ~200 MB/s.
   */
  text: Uint8Array;
  textEnds: Uint32Array;
  wide: Uint8Array;
  wideEnds: Uint32Array;
  others: unknown[];
}

/** What a value is: its tag in `tags`. */
const TAG = { undefined: 0, null: 1, number: 2, table: 3, text: 4, true: 5, false: 6, other: 7, wide: 8 } as const;

/** Fields whose values are mostly distinct (the same three log-node.ts copies rather than interns): kept as text, not in the table. */
const TEXT_FIELDS = new Set(["message", "query", "partition_key"]);

/** A character past U+00FF: such a string goes to the UTF-16 text. */
const BEYOND_LATIN1 = /[^\x00-\xff]/;

/** Key lists past this many (never seen: events have a few dozen shapes) do not fit `shape`'s 16 bits. */
const MAX_SHAPES = 0xffff;

/** One key list met: its id, keys, which keys hold text, and each key's last table string and id (most values repeat the previous event's). */
interface Shape {
  id: number;
  proto: object | null;
  keys: string[];
  text: boolean[];
  last: unknown[];
  lastId: number[];
}

/**
 * The events as columns. Throws (and the caller sends the objects instead) only past {@link MAX_SHAPES} key lists.
 * @example const columns = encodeEvents(result.events); postMessage(columns, eventColumnsTransfer(columns))
 */
export function encodeEvents(events: readonly LogEvent[]): EventColumns {
  const n = events.length;
  const shapes: Shape[] = [];
  const byKeys = new Map<object | null, Map<string, Shape>>();
  const shape = new Uint16Array(n);
  // First the key list of every event (most often the previous event's, compared key by key), and how many values in all.
  let values = 0;
  let cur: Shape | undefined;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const proto = Object.getPrototypeOf(e) as object | null;
    let same = cur !== undefined && cur.proto === proto;
    let width = 0;
    for (const k in e) {
      if (same && cur!.keys[width] !== k) same = false;
      width++;
    }
    if (!same || width !== cur!.keys.length) cur = shapeOf(e, proto, shapes, byKeys);
    shape[i] = cur!.id;
    values += width;
  }
  // Then the values, into arrays of that size (cut to what they hold at the end).
  const tags = new Uint8Array(values);
  const numbers = new Float64Array(values);
  const ids = new Uint32Array(values);
  const textEnds = new Uint32Array(values);
  const wideEnds = new Uint32Array(values);
  let text = Buffer.allocUnsafeSlow(Math.max(1024, n * 128));
  let wide = Buffer.allocUnsafeSlow(0);
  let at = 0;
  let wideAt = 0;
  let wx = 0;
  let t = 0;
  let num = 0;
  let id = 0;
  let tx = 0;
  const table: string[] = [];
  const tableIds = new Map<string, number>();
  const others: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const e = events[i] as unknown as Record<string, unknown>;
    const sh = shapes[shape[i]!]!;
    const keys = sh.keys;
    for (let j = 0; j < keys.length; j++) {
      const v = e[keys[j]!];
      switch (typeof v) {
        case "number":
          tags[t++] = TAG.number;
          numbers[num++] = v;
          break;
        case "string":
          if (sh.text[j]) {
            const len = v.length;
            // Latin-1 text is copied natively (~10x a charCodeAt loop on 23 M characters of a Cassandra 2.1 node's messages).
            if (!BEYOND_LATIN1.test(v)) {
              if (at + len > text.length) text = grown(text, at + len);
              at += text.write(v, at, "latin1");
              tags[t++] = TAG.text;
              textEnds[tx++] = at;
            } else {
              if (2 * (wideAt + len) > wide.length) wide = grown(wide, 2 * (wideAt + len));
              wideAt += wide.write(v, 2 * wideAt, "utf16le") / 2;
              tags[t++] = TAG.wide;
              wideEnds[wx++] = wideAt;
            }
          } else {
            let at: number | undefined;
            if (sh.last[j] === v) at = sh.lastId[j]!;
            else {
              at = tableIds.get(v);
              if (at === undefined) {
                at = table.length;
                table.push(v);
                tableIds.set(v, at);
              }
              sh.last[j] = v;
              sh.lastId[j] = at;
            }
            tags[t++] = TAG.table;
            ids[id++] = at;
          }
          break;
        case "undefined":
          tags[t++] = TAG.undefined;
          break;
        case "boolean":
          tags[t++] = v ? TAG.true : TAG.false;
          break;
        default:
          if (v === null) tags[t++] = TAG.null;
          else {
            tags[t++] = TAG.other;
            others.push(v);
          }
      }
    }
  }
  if (at > 0xffffffff || wideAt > 0xffffffff) throw new Error("log events: more than 4 GiB of message text");
  const protos: (object | null)[] = [];
  return {
    count: n,
    shapes: shapes.map((s) => s.keys),
    shapeProto: shapes.map((s) => {
      const at = protos.indexOf(s.proto);
      return at >= 0 ? at : protos.push(s.proto) - 1;
    }),
    protoNames: protos.map(protoName),
    shape,
    tags,
    // Views of what is filled: the buffers move whole (no copy here; they are let go once decoded).
    numbers: numbers.subarray(0, num),
    ids: ids.subarray(0, id),
    table,
    text: new Uint8Array(text.buffer, text.byteOffset, at),
    textEnds: textEnds.subarray(0, tx),
    wide: new Uint8Array(wide.buffer, wide.byteOffset, 2 * wideAt),
    wideEnds: wideEnds.subarray(0, wx),
    others,
  };
}

/** `a` copied into a buffer of at least `need` bytes (twice as large as before, at least; never one of Buffer's shared pool). */
function grown(a: Buffer, need: number): Buffer {
  const b = Buffer.allocUnsafeSlow(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/** The shape of `e`'s key list, made when new. */
function shapeOf(e: object, proto: object | null, shapes: Shape[], byKeys: Map<object | null, Map<string, Shape>>): Shape {
  const keys: string[] = [];
  for (const k in e) keys.push(k);
  let known = byKeys.get(proto);
  if (!known) byKeys.set(proto, (known = new Map()));
  const name = keys.join("\u0000");
  let s = known.get(name);
  if (!s) {
    if (shapes.length >= MAX_SHAPES) throw new Error(`log events: more than ${MAX_SHAPES} key lists`);
    s = { id: shapes.length, proto, keys, text: keys.map((k) => TEXT_FIELDS.has(k)), last: keys.map(() => undefined), lastId: keys.map(() => 0) };
    shapes.push(s);
    known.set(name, s);
  }
  return s;
}

/** How a prototype is named across threads: "" for Object.prototype (a plain object), "null" for none, else its class's name. */
function protoName(p: object | null): string {
  if (p === null) return "null";
  if (p === Object.prototype) return "";
  return (p as { constructor?: { name?: string } }).constructor?.name || "?";
}

/** The buffers of `c` to transfer (they are then unusable in the sending thread). */
export function eventColumnsTransfer(c: EventColumns): ArrayBuffer[] {
  return [c.shape, c.tags, c.numbers, c.ids, c.text, c.textEnds, c.wide, c.wideEnds].map((a) => a.buffer as ArrayBuffer);
}

/**
 * The events again, as {@link encodeEvents} was given them. Each shape gets a small function that
 * builds its object as a literal (keys in order): faster than adding keys one by one, and every
 * object of one shape shares V8's hidden class, as the parser's own did.
 * @example const events = decodeEvents(message.columns)
 */
export function decodeEvents(c: EventColumns, classes: readonly (abstract new (...a: never[]) => unknown)[] = []): LogEvent[] {
  const protos = c.protoNames.map((name) => {
    if (name === "") return Object.prototype;
    if (name === "null") return null;
    const cls = classes.find((k) => k.name === name);
    if (!cls) throw new Error(`log events: the events were made by class ${name}, which decodeEvents was not given`);
    return cls.prototype as object;
  });
  const makers = c.shapes.map((keys, s) => maker(keys, protos[c.shapeProto[s]!]!));
  const { shape, tags, numbers, ids, table, textEnds, wideEnds, others } = c;
  // Each text buffer becomes one string (a copy of the bytes); the values are slices of it.
  const text = Buffer.from(c.text.buffer, c.text.byteOffset, c.text.byteLength).toString("latin1");
  const wide = Buffer.from(c.wide.buffer, c.wide.byteOffset, c.wide.byteLength).toString("utf16le");
  let wx = 0;
  let wideStart = 0;
  const out = new Array<LogEvent>(c.count);
  const values: unknown[] = [];
  let t = 0;
  let num = 0;
  let id = 0;
  let tx = 0;
  let textStart = 0;
  let other = 0;
  for (let i = 0; i < c.count; i++) {
    const s = shape[i]!;
    const width = c.shapes[s]!.length;
    for (let j = 0; j < width; j++) {
      switch (tags[t++]) {
        case TAG.number:
          values[j] = numbers[num++];
          break;
        case TAG.table:
          values[j] = table[ids[id++]!];
          break;
        case TAG.text: {
          const end = textEnds[tx++]!;
          values[j] = text.slice(textStart, end);
          textStart = end;
          break;
        }
        case TAG.wide: {
          const end = wideEnds[wx++]!;
          values[j] = wide.slice(wideStart, end);
          wideStart = end;
          break;
        }
        case TAG.null:
          values[j] = null;
          break;
        case TAG.undefined:
          values[j] = undefined;
          break;
        case TAG.true:
          values[j] = true;
          break;
        case TAG.false:
          values[j] = false;
          break;
        default:
          values[j] = others[other++];
      }
    }
    out[i] = makers[s]!(values) as LogEvent;
  }
  return out;
}

/**
 * `(v) => ({ "node": v[0], "ts": v[1], ... })` for one key list of plain objects; for a class's, a
 * constructor with the class's prototype that sets the keys in order (the class's own constructor is
 * not run: the values are given).
 */
function maker(keys: string[], proto: object | null): (v: unknown[]) => unknown {
  // "__proto__" as a key (never a LogEvent's) would set the prototype: such a list is built key by key.
  if (keys.includes("__proto__") || proto === null)
    return (v) => {
      const o = Object.create(proto) as Record<string, unknown>;
      keys.forEach((k, j) => Object.defineProperty(o, k, { value: v[j], enumerable: true, writable: true, configurable: true }));
      return o;
    };
  if (proto === Object.prototype) {
    const body = keys.map((k, j) => `${JSON.stringify(k)}: v[${j}]`).join(", ");
    return new Function("v", `return { ${body} };`) as (v: unknown[]) => unknown;
  }
  const Make = new Function("v", keys.map((k, j) => `this[${JSON.stringify(k)}] = v[${j}];`).join("\n")) as unknown as new (v: unknown[]) => unknown;
  Make.prototype = proto;
  return (v) => new Make(v);
}
