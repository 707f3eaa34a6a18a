/**
 * thousands() (src/present/plural.ts) writes a number as `toLocaleString("en-US")` does without ICU's number formatter
 * for whole numbers. Expected values: ICU itself (Number.prototype.toLocaleString with "en-US"), an implementation
 * independent of the code under test, and the hand-written groupings below.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { thousands } from "../src/present/plural";

test("thousands() writes whole numbers with en-US thousands separators, by hand and as ICU does", () => {
  // By hand: groups of three digits from the right.
  assert.equal(thousands(0), "0");
  assert.equal(thousands(999), "999");
  assert.equal(thousands(1000), "1,000");
  assert.equal(thousands(648690), "648,690");
  assert.equal(thousands(-1234567), "-1,234,567");
  // Every power of ten and its neighbours, both signs, fractions, -0, past 2^53, NaN and infinities: as ICU writes them.
  const values = [-0, 0.5, -0.5, 1234.5678, 2 ** 53, 2 ** 53 + 2, 1e21, NaN, Infinity, -Infinity];
  for (let p = 0; p <= 16; p++) for (const d of [-1, 0, 1]) values.push(10 ** p + d, -(10 ** p + d));
  for (const v of values) assert.equal(thousands(v), v.toLocaleString("en-US"), String(v));
});
