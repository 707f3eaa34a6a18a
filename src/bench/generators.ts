/**
 * Value generators for bench workloads: small functions `(i, rng) => value` that produce a
 * statement's bound values, where `i` counts calls of that operation from 0 and `rng` is the run's
 * seeded random source (so a run with the same seed writes the same data).
 *
 * Built-in workloads use them, and custom workloads name them per placeholder:
 * @example bench("custom", { custom: { ops: { insert: { cql: "INSERT INTO {ks}.events (id, body) VALUES (?, ?)", values: [gen.seq(), gen.text(100)] } } } })
 */
import { randomBytes } from "node:crypto";

/** The driver's types, loaded on first use (cassandra-driver is slow to load; most imports never need it). */
function driverTypes(): typeof import("cassandra-driver").types {
  return (require("cassandra-driver") as typeof import("cassandra-driver")).types;
}

/** A seeded random source: `next()` in [0, 1). */
export interface Rng {
  next(): number;
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
}

/** mulberry32: a tiny, fast, seedable PRNG (good enough to pick keys, not for cryptography). */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** A value generator: called once per bound value per operation. */
export type Generator = (i: number, rng: Rng) => unknown;

/** A pool of random blobs: slicing a pool is far cheaper than making random bytes per operation. */
function blobPool(size: number, count = 64): Buffer[] {
  return Array.from({ length: count }, () => randomBytes(size));
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** The generators, named for what they produce. */
export const gen = {
  /**
   * start, start+1, ... (a bigint column: pass { long: true }).
   * @example gen.seq()          // 0, 1, 2 ...
   * @example gen.seq(1000, { long: true })
   */
  seq(start = 0, options: { long?: boolean } = {}): Generator {
    if (!options.long) return (i) => start + i;
    const { Long } = driverTypes();
    return (i) => Long.fromNumber(start + i);
  },
  /**
   * A uniform random integer in [min, max].
   * @example gen.uniform(1, 100000)
   */
  uniform(min: number, max: number, options: { long?: boolean } = {}): Generator {
    if (!options.long) return (_i, r) => r.int(min, max);
    const { Long } = driverTypes();
    return (_i, r) => Long.fromNumber(r.int(min, max));
  },
  /** A random double in [min, max). @example gen.double(0, 100) */
  double(min = 0, max = 1): Generator {
    return (_i, r) => min + r.next() * (max - min);
  },
  /** Random text of `length` characters. @example gen.text(64) */
  text(length: number): Generator {
    return (_i, r) => {
      let s = "";
      for (let k = 0; k < length; k++) s += ALPHABET[Math.floor(r.next() * ALPHABET.length)];
      return s;
    };
  },
  /** A random blob of `size` bytes (from a pool of 64 random buffers). @example gen.blob(100) */
  blob(size: number): Generator {
    const pool = blobPool(size);
    return (i) => pool[i % pool.length];
  },
  /** A random UUID (v4). @example gen.uuid() */
  uuid(): Generator {
    const { Uuid } = driverTypes();
    return () => Uuid.random();
  },
  /** A time-based UUID for now. @example gen.timeuuid() */
  timeuuid(): Generator {
    const { TimeUuid } = driverTypes();
    return () => TimeUuid.now();
  },
  /** The current time (a timestamp column). @example gen.now() */
  now(): Generator {
    return () => new Date();
  },
  /** One of the given values, uniformly. @example gen.pick(["red", "green"]) */
  pick<T>(values: T[]): Generator {
    return (_i, r) => values[Math.floor(r.next() * values.length)];
  },
  /** Always the same value. @example gen.constant("eu-west") */
  constant<T>(value: T): Generator {
    return () => value;
  },
};

/** Turn a list of generators or literals into one `(i, rng) => values[]` function. */
export function valuesFrom(specs: (Generator | unknown)[]): (i: number, rng: Rng) => unknown[] {
  const fns = specs.map((s) => (typeof s === "function" ? (s as Generator) : () => s));
  return (i, rng) => fns.map((f) => f(i, rng));
}
