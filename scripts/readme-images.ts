// The README's pictures: each helper's main chart on the bundled dataset (datasets/lab-3node),
// rendered by the same code users run. `npm run docs:images` rewrites docs/img/*.png at 2× pixels
// and prints each picture's 1× width, which README.md's <img width="..."> uses (crisp on GitHub, not twice as large).
import * as fs from "node:fs";
import * as path from "node:path";
import * as c from "../src/index";
import { PNG_SCALE, pngSize } from "../src/present/chart";

const OUT = path.resolve(__dirname, "../docs/img");

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  process.chdir(path.resolve(__dirname, ".."));
  const ds = await c.open("datasets/lab-3node");
  const save = async (file: string, report: { chart(name?: string): c.Chart }, chart?: string) => {
    const png = await report.chart(chart).toPNG(PNG_SCALE);
    fs.writeFileSync(path.join(OUT, file), png);
    console.log(`docs/img/${file}: ${(png.length / 1024).toFixed(0)} KiB, width="${pngSize(png).width / PNG_SCALE}"`);
  };
  await save("gcstats-pauses.png", await c.gcStats(), "pauses");
  // The tombstone-heavy QUORUM read: the session that scanned the most tombstones.
  const all = await c.traces();
  const worst = all.rows("sessions").sort((a, b) => Number(b.tombstones) - Number(a.tombstones))[0];
  await save("trace-waterfall.png", await c.trace(String(worst.session_id)), "waterfall");
  await save("histograms-ladder.png", await c.histograms(), "ladder");
  await save("partitionscan-sizes.png", await c.partitionScan("cassperf_demo.user_events"), "sizes");
  await save("compaction-evidence.png", await c.compactionAdvice(), "evidence");
  const runs = ds
    .files({ kind: "bench-run" })
    .map((f) => f.path)
    .sort();
  await save("bench-compare.png", await c.compareRuns(await c.importStress(runs[0]), await c.importStress(runs[runs.length - 1])));
  await save("timeline.png", await c.timeline(), "timeline");
  await save("health-findings.png", await c.health(), "findings");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
