/**
 * THE consistency-level normaliser: every helper that runs a query at a consistency level the user
 * names (trace, partitionScan, bench) reads the name here, so the names accepted, the error for a
 * wrong one and the code sent on the wire are the same everywhere.
 *
 * - {@link consistencyLevel}: a name as people write it ("quorum", "local-one", "LOCAL_QUORUM")
 *   -> the CQL name, or a CassperfError naming the helper and the allowed values;
 * - {@link consistencyCode}: the CQL name -> the native protocol's [consistency] code, as the
 *   specification gives it (Cassandra's doc/native_protocol_v4.spec, section 3 "Notations",
 *   [consistency]; v3 and v5 use the same table). cassandra-driver's types.consistencies holds the
 *   same numbers, so the code can be given to client.execute({ consistency }) as it is.
 */
import { CassperfError, shownValue } from "../errors";

/**
 * The native protocol's [consistency] table (doc/native_protocol_v4.spec, section 3):
 * 0x0000 ANY, 0x0001 ONE ... 0x000A LOCAL_ONE.
 */
export const CONSISTENCY_CODES = {
  ANY: 0x0000,
  ONE: 0x0001,
  TWO: 0x0002,
  THREE: 0x0003,
  QUORUM: 0x0004,
  ALL: 0x0005,
  LOCAL_QUORUM: 0x0006,
  EACH_QUORUM: 0x0007,
  SERIAL: 0x0008,
  LOCAL_SERIAL: 0x0009,
  LOCAL_ONE: 0x000a,
} as const;

/** A consistency level by its CQL name. */
export type ConsistencyLevel = keyof typeof CONSISTENCY_CODES;

/** Every CQL consistency level, in the specification's order (by code). */
export const CONSISTENCY_LEVELS = Object.keys(CONSISTENCY_CODES) as ConsistencyLevel[];

/**
 * A consistency level as the user wrote it -> its CQL name. Case does not matter and "-" or a space
 * stand for "_" ("local-quorum" is LOCAL_QUORUM). Anything else is refused with the helper's name
 * and the levels it accepts (`allowed`, default every level).
 * @example consistencyLevel("quorum", "trace")            // "QUORUM"
 * @example consistencyLevel("ANY", "partitionScan", ["ONE", "QUORUM"])   // throws: expected one of ONE, QUORUM
 */
export function consistencyLevel(input: unknown, helper: string, allowed: readonly ConsistencyLevel[] = CONSISTENCY_LEVELS): ConsistencyLevel {
  const key =
    typeof input === "string"
      ? input
          .trim()
          .toUpperCase()
          .replace(/[-\s]+/g, "_")
      : "";
  if (!(allowed as readonly string[]).includes(key))
    throw new CassperfError(
      `${helper}: consistency ${shownValue(input)} is not a consistency level${
        key in CONSISTENCY_CODES ? ` ${helper} accepts` : ""
      }; expected one of ${allowed.join(", ")} (any case).`,
    );
  return key as ConsistencyLevel;
}

/**
 * The native protocol code of a consistency level (the [consistency] short of QUERY, EXECUTE and
 * BATCH messages; cassandra-driver's types.consistencies uses the same numbers).
 * @example consistencyCode("LOCAL_ONE")   // 10 (0x000A)
 */
export function consistencyCode(level: ConsistencyLevel): number {
  const code = CONSISTENCY_CODES[level];
  if (code === undefined)
    throw new CassperfError(`consistency ${shownValue(level)} has no native protocol code; expected one of ${CONSISTENCY_LEVELS.join(", ")}.`);
  return code;
}
