/**
 * The one consistency-level normaliser (src/cluster/consistency.ts): its codes are the native
 * protocol's, its names are accepted in any case, and a wrong name is refused with the helper's
 * name and the allowed levels.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { CONSISTENCY_LEVELS, consistencyCode, consistencyLevel } from "../src/cluster/consistency";
import { isCassperfError } from "../src/errors";

// Copied verbatim from apache/cassandra doc/native_protocol_v4.spec, section 3 "Notations",
// [consistency] (commit 02f78f658ce96fe2acec903535c3b677d20ee6cb; Apache License 2.0):
const SPEC_TABLE = `
                     0x0000    ANY
                     0x0001    ONE
                     0x0002    TWO
                     0x0003    THREE
                     0x0004    QUORUM
                     0x0005    ALL
                     0x0006    LOCAL_QUORUM
                     0x0007    EACH_QUORUM
                     0x0008    SERIAL
                     0x0009    LOCAL_SERIAL
                     0x000A    LOCAL_ONE
`;

test("consistencyCode: every level's code is the native protocol spec's [consistency] code", () => {
  const spec = SPEC_TABLE.trim()
    .split("\n")
    .map((l) => /^\s*0x([0-9A-F]{4})\s+(\w+)$/.exec(l)!)
    .map((m) => [m[2], parseInt(m[1], 16)] as const);
  assert.equal(spec.length, 11);
  // Same levels, same order, same codes.
  assert.deepEqual(
    CONSISTENCY_LEVELS,
    spec.map(([name]) => name),
  );
  for (const [name, code] of spec) assert.equal(consistencyCode(consistencyLevel(name, "test")), code, name);
});

test("consistencyCode: the codes are the ones cassandra-driver sends (types.consistencies)", () => {
  // The driver's table is a second, independent statement of the spec (lib/types/index.js).
  const { types } = require("cassandra-driver") as typeof import("cassandra-driver");
  const driver = types.consistencies as unknown as Record<string, number>;
  const camel = (s: string) => s.toLowerCase().replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
  for (const level of CONSISTENCY_LEVELS) assert.equal(consistencyCode(level), driver[camel(level)], level);
});

test("consistencyLevel: names as people write them; a wrong one names the helper and the allowed levels", () => {
  assert.equal(consistencyLevel("quorum", "trace"), "QUORUM");
  assert.equal(consistencyLevel("local-quorum", "bench"), "LOCAL_QUORUM");
  assert.equal(consistencyLevel(" Local_One ", "bench"), "LOCAL_ONE");
  assert.throws(
    () => consistencyLevel("MOST", "bench"),
    (e: unknown) =>
      isCassperfError(e) &&
      (e as Error).message ===
        'bench: consistency "MOST" is not a consistency level; expected one of ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL, LOCAL_ONE (any case).',
  );
  // A level the helper does not take (a scan reads: ANY is a write-only level).
  assert.throws(
    () => consistencyLevel("ANY", "partitionScan", ["ONE", "QUORUM"]),
    (e: unknown) =>
      isCassperfError(e) &&
      /^partitionScan: consistency "ANY" is not a consistency level partitionScan accepts; expected one of ONE, QUORUM/.test((e as Error).message),
  );
  assert.throws(
    () => consistencyLevel(4, "trace"),
    (e: unknown) => isCassperfError(e) && /consistency 4 is not a consistency level/.test((e as Error).message),
  );
});
