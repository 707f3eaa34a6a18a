/**
 * GC decoration times and the REPL's terminal charts give the same UTC instant whatever TZ the
 * process runs in. Each check runs in child processes started with TZ=Asia/Tokyo (UTC+9) and
 * TZ=America/Los_Angeles (UTC-8 in January): TZ must be set before node starts, since V8 reads the
 * zone once (setting process.env.TZ later works in node 20 on Linux, but a child process is the
 * certain way). The children load the built library (dist/, built by scripts/test.mjs).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support";

const DIST = path.join(ROOT, "dist");
const GC = path.join(ROOT, "test/fixtures/gc");

/** Run `code` (CommonJS, prints one JSON line) in a child node with TZ set; its parsed output. */
function inZone(tz: string, code: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ["-e", code], { env: { ...process.env, TZ: tz }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(out.tz, tz, "the child really ran in that zone");
  return out;
}

const ZONES = ["Asia/Tokyo", "America/Los_Angeles"];

test("GC log times: HotSpot's time decoration is one UTC instant in any TZ (JDK 8 +0000, unified +0200, zone-less text read as UTC)", () => {
  const code = `
    const path = require("path");
    const fs = require("fs");
    const { hotspotTime } = require(path.join(${JSON.stringify(DIST)}, "parse/gc-types.js"));
    const { parseGcLog } = require(path.join(${JSON.stringify(DIST)}, "parse/gc-log.js"));
    const first = (f) => parseGcLog(fs.readFileSync(path.join(${JSON.stringify(GC)}, f), "utf8")).firstTimestamp;
    console.log(JSON.stringify({
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      plus0000: hotspotTime("2020-07-21T07:10:55.097+0000"),
      plus0900colon: hotspotTime("2020-07-21T16:10:55.097+09:00"),
      noZone: hotspotTime("2020-07-21T07:10:55.097"),
      spaceComma: hotspotTime("2020-07-21 07:10:55,097"),
      jdk8: first("shared-jdk8-g1-dse68-node-stopped-beyond-pause-excerpt.log"),
      unified: first("gcviewer-jdk11-unified-time-first-decimal-comma.txt"),
    }));`;
  for (const tz of ZONES) {
    const o = inZone(tz, code);
    // By hand: 07:10:55.097 at +0000 is 07:10:55.097Z; 16:10:55.097 at +09:00 is the same instant; no zone is UTC.
    for (const k of ["plus0000", "plus0900colon", "noZone", "spaceComma"]) assert.equal(o[k], "2020-07-21T07:10:55.097Z", `${k} under TZ=${tz}`);
    // The files' first lines: "2020-07-21T07:10:55.097+0000: 79291.032: [GC pause …" and "[2018-10-10T17:09:33.823+0200][0.022s]…" (15:09:33.823Z).
    assert.equal(o.jdk8, "2020-07-21T07:10:55.097Z", `JDK 8 log under TZ=${tz}`);
    assert.equal(o.unified, "2018-10-10T15:09:33.823Z", `unified log under TZ=${tz}`);
  }
});

test("REPL terminal chart: a temporal axis reads ISO (no zone = UTC), logback's slash and DATE shapes, and labels UTC in any TZ", () => {
  // Three points; the axis labels are the first and last x as UTC. Before: Date.parse read "2024-01-15 10:00:00" in the
  // process's zone (01:00Z in Tokyo, 18:00Z in Los Angeles) and dropped the slash and DATE shapes (NaN): 1 point.
  const code = `
    const { chartToText } = require(require("path").join(${JSON.stringify(DIST)}, "repl/chart-text.js"));
    const spec = { mark: "line", encoding: { x: { field: "t", type: "temporal" }, y: { field: "v", type: "quantitative" } }, data: { values: [
      { t: "2024-01-15 10:00:00", v: 1 }, { t: "2024/01/15 10:02:00,500", v: 3 }, { t: "15 Jan 2024 10:05:00,250", v: 2 } ] } };
    console.log(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, lines: chartToText("c", spec, { width: 60 }) }));`;
  const outs = ZONES.map((tz) => inZone(tz, code).lines as string[]);
  for (const [i, lines] of outs.entries()) {
    const text = lines.join("\n");
    assert.match(text, /2024-01-15 10:00:00\s+2024-01-15 10:05:00\.250/, `axis labels under TZ=${ZONES[i]}`);
    assert.match(text, /over t, 3 points/, `every point read under TZ=${ZONES[i]}`);
  }
  assert.deepEqual(outs[0], outs[1], "the same chart in both zones");
});

test("the fixtures these checks read exist in the repo itself", () => {
  for (const f of ["shared-jdk8-g1-dse68-node-stopped-beyond-pause-excerpt.log", "gcviewer-jdk11-unified-time-first-decimal-comma.txt"])
    assert.ok(fs.existsSync(path.join(GC, f)), f);
});
