/**
 * The bench recorder and HDR helpers, without a cluster: interval rows (one per second per op,
 * empty seconds kept), the last partial second rated by its length, whole-run percentiles from the
 * merged histogram (never averaged), fixed-rate response vs service time, and the encoded
 * histogram round trip. Values are fed straight to the recorder (no driver involved).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Recorder } from "../src/bench/recorder";
import { decodeHistogram, encodeHistogram, mergeHistograms, percentiles, spectrum } from "../src/bench/hdr";

test("recorder: one row per second per op, empty seconds kept, partial last second rated by its length", () => {
  const rec = new Recorder(["read", "write"], false);
  rec.start(1000);
  // second 0: 3 reads, 1 write; second 1: nothing (a stall); second 2: 2 writes; run ends at 2.5 s.
  rec.record(0, 1000, 1000, 1001);
  rec.record(0, 1100, 1100, 1102);
  rec.record(0, 1200, 1200, 1203, "ReadTimeout");
  rec.record(1, 1300, 1300, 1310);
  rec.record(1, 3100, 3100, 3105);
  rec.record(1, 3200, 3200, 3204);
  rec.finish(3500);
  const rows = rec.intervals.map((r) => `${r.second}:${r.op}:${r.ops}:${r.ops_per_s}:${r.errors}`);
  assert.deepEqual(rows, ["0:read:3:3:1", "0:write:1:1:0", "1:read:0:0:0", "1:write:0:0:0", "2:read:0:0:0", "2:write:2:4:0"]);
  assert.equal(rec.intervals[2].p99_ms, null, "no operation: no percentile");
  assert.equal(rec.intervals[0].max_ms, 3);
  assert.equal(rec.errorsByType.ReadTimeout, 1);
  assert.equal(rec.ops[0].count, 3);
  assert.equal(rec.ops[1].errors, 0);
});

test("whole-run percentiles come from the merged histogram, not from averaging per-second p99s", () => {
  const rec = new Recorder(["write"], false);
  rec.start(0);
  // Second 0: 1000 ops at 1 ms. Second 1: 100 ops at 100 ms.
  for (let i = 0; i < 1000; i++) rec.record(0, i * 0.9, i * 0.9, i * 0.9 + 1);
  for (let i = 0; i < 100; i++) rec.record(0, 1000 + i * 5, 1000 + i * 5, 1000 + i * 5 + 100);
  rec.finish(2000);
  const perSecondP99 = rec.intervals.map((r) => r.p99_ms!);
  assert.deepEqual(perSecondP99, [1, 100]);
  const averaged = (perSecondP99[0] + perSecondP99[1]) / 2;
  const merged = percentiles(rec.ops[0].response);
  // 100 of 1100 values (9%) are 100 ms: the true p99 is 100 ms; the average of p99s (50.5 ms) is wrong.
  assert.equal(merged.p99_ms, 100);
  assert.notEqual(merged.p99_ms, averaged);
  assert.equal(merged.p50_ms, 1);
  assert.equal(merged.count, 1100);
});

test("fixed rate: response time from the intended start, service time from the actual start", () => {
  const rec = new Recorder(["write"], true);
  rec.start(0);
  // Intended at 0, 10, 20 ms, but the client could only send them at 500 ms (a stall); each took 2 ms.
  for (const intended of [0, 10, 20]) rec.record(0, intended, 500, 502);
  rec.finish(1000);
  const p = percentiles(rec.ops[0].response);
  const s = percentiles(rec.ops[0].service!);
  assert.equal(p.max_ms, 502);
  assert.ok(Math.abs(p.p50_ms! - 492) < 0.5, String(p.p50_ms)); // 3 significant digits
  assert.equal(s.max_ms, 2);
  assert.equal(rec.intervals[0].service_p99_ms, 2);
  assert.equal(rec.intervals[0].p99_ms, 502);
});

test("encoded histograms round-trip and merge; the spectrum runs from 0 to 100", () => {
  const rec = new Recorder(["a", "b"], false);
  rec.start(0);
  for (let i = 1; i <= 500; i++) rec.record(0, 0, 0, i / 10);
  for (let i = 1; i <= 500; i++) rec.record(1, 0, 0, 50 + i / 10);
  rec.finish(1000);
  const a = decodeHistogram(encodeHistogram(rec.ops[0].response));
  const b = decodeHistogram(encodeHistogram(rec.ops[1].response));
  assert.equal(a.totalCount, 500);
  assert.equal(percentiles(a).p50_ms, percentiles(rec.ops[0].response).p50_ms);
  const m = mergeHistograms([a, b]);
  assert.equal(m.totalCount, 1000);
  assert.ok(Math.abs(percentiles(m).p50_ms! - 50) < 0.1, String(percentiles(m).p50_ms));
  const sp = spectrum(m);
  assert.equal(sp[0].percentile, 0);
  assert.equal(sp[sp.length - 1].percentile, 100);
  assert.ok(sp.some((x) => x.percentile === 99.9));
  for (let i = 1; i < sp.length; i++) assert.ok(sp[i].latency_ms >= sp[i - 1].latency_ms, "spectrum is monotonic");
});
