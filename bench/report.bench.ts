/**
 * Benchmark: `cassperf report --html` on the dse68 diagnostic bundle (test/fixtures/data/diag/dse68, a whole copy; SOURCE=<bundle> for another)
 * against the helpers it runs, measured side by side in one process. Target: the report within 2×
 * the helpers' time (charts to SVG, HTML and the atomic write are the overhead).
 *
 *  - helpers: open() + health() (every helper the bundle can answer) + timeline() whole and zoomed on
 *    the incident — exactly the helper calls buildReportModel() makes;
 *  - report:  buildReportModel() + renderCharts() + renderHtml() + writeOutputs() to a temp folder.
 *
 * Runs are interleaved (helpers, report, helpers, ...) so both see the same machine load; each
 * opens the bundle afresh. Prints the first (cold) run and the median of the warm runs, wall and
 * CPU, and the RSS after each. Run: `npm run bench:report` (RUNS=5 by default; SOURCE=path to change).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as api from "../src/index";
import { buildReportModel, incidentWindow, renderCharts } from "../src/report/model";
import { renderHtml } from "../src/report/html";
import { writeOutputs } from "../src/report/write";

const SOURCE = process.env.SOURCE ?? path.resolve(__dirname, "../test/fixtures/data/diag/dse68");
const RUNS = Number(process.env.RUNS ?? 5);

interface Sample {
  wall: number;
  cpu: number;
  rssMb: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1e6 };
}

/** The helper calls the report makes, and nothing else. */
async function helpersOnly(): Promise<void> {
  const src = await api.open(SOURCE);
  await api.health(src);
  const tl = await api.timeline({ source: src });
  // The same zoom buildReportModel() picks.
  const zoom = incidentWindow(tl.rows("coincidences"));
  if (zoom) await api.timeline({ source: src, from: zoom.from, to: zoom.to });
}

async function reportHtml(dir: string, i: number): Promise<number> {
  const model = await buildReportModel(SOURCE);
  await renderCharts(model);
  const html = renderHtml(model);
  await writeOutputs([{ target: path.join(dir, `report-${i}.html`), content: html }], { force: true });
  return Buffer.byteLength(html);
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!fs.existsSync(SOURCE)) throw new Error(`${SOURCE} does not exist (set SOURCE=path to a bundle)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-bench-report-"));
  const helpers: Sample[] = [];
  const report: Sample[] = [];
  let bytes = 0;
  const rss0 = process.memoryUsage().rss / 1e6;
  try {
    for (let i = 0; i < RUNS; i++) {
      helpers.push(await timed(helpersOnly));
      report.push(await timed(async () => (bytes = await reportHtml(dir, i))));
      process.stderr.write(`run ${i + 1}/${RUNS}: helpers ${helpers[i].wall.toFixed(0)} ms, report --html ${report[i].wall.toFixed(0)} ms\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const warm = (s: Sample[], k: "wall" | "cpu") => (s.length > 1 ? median(s.slice(1).map((x) => x[k])) : s[0][k]);
  const line = (name: string, s: Sample[]) =>
    `${name.padEnd(16)} cold ${s[0].wall.toFixed(0)} ms wall / ${s[0].cpu.toFixed(0)} ms CPU; ` +
    `warm median ${warm(s, "wall").toFixed(0)} ms wall / ${warm(s, "cpu").toFixed(0)} ms CPU`;
  console.log(`source: ${SOURCE} (${RUNS} interleaved runs; HTML ${(bytes / 1e6).toFixed(2)} MB)`);
  console.log(line("helpers", helpers));
  console.log(line("report --html", report));
  const ratioWall = warm(report, "wall") / warm(helpers, "wall");
  const ratioCpu = warm(report, "cpu") / warm(helpers, "cpu");
  const verdict = ratioWall <= 2 ? "met" : "NOT met";
  console.log(`ratio report/helpers (warm medians): ${ratioWall.toFixed(2)}× wall, ${ratioCpu.toFixed(2)}× CPU — target ≤ 2× ${verdict}`);
  const highest = Math.max(...report.map((r) => r.rssMb), ...helpers.map((h) => h.rssMb));
  console.log(`RSS: ${rss0.toFixed(0)} MB at start, ${highest.toFixed(0)} MB highest after a run, ${report.at(-1)!.rssMb.toFixed(0)} MB after the last`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
