/**
 * `cassperf report --html`: the file is opened in a real headless Chromium (Debian's chromium,
 * driven by playwright-core), offline — every request that is not file:// is blocked and recorded,
 * and none may be attempted. The page must have no console error, every chart an <svg> with marks,
 * and the headline and findings with the values read here independently from the bundle's files.
 *
 * Inputs: test/fixtures/report/dse68 (part of a real DSE 6.8 diagnostic bundle, see its
 * PROVENANCE.md) and datasets/lab-3node-5.0 (the bundled real 5.0 lab recording).
 * Skips only when /usr/bin/chromium is absent AND CI is not set (.ci/run installs it; in CI it must run).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";

const CLI = path.join(ROOT, "dist", "cli.js");
const CHROMIUM = "/usr/bin/chromium";
const DSE68 = path.join(ROOT, "test", "fixtures", "report", "dse68");
const LAB50 = path.join(ROOT, "datasets", "lab-3node-5.0");

function chromiumOrSkip(t: { skip: (m?: string) => void }): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI) assert.fail(`${CHROMIUM} is missing in CI: .ci/run installs Debian's chromium`);
  t.skip(`${CHROMIUM} not installed (apt-get install chromium, or run .ci/run): the HTML report is not checked in a browser`);
  return false;
}

/** Run `cassperf report <source> --html <out>`; returns the HTML path and the process result. */
function reportHtml(source: string, dir: string) {
  const out = path.join(dir, "report.html");
  const r = spawnSync(process.execPath, [CLI, "report", source, "--html", out], { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  // Nothing on stdout but the report: with --html (and no --json) stdout stays empty.
  assert.equal(r.stdout, "");
  return out;
}

interface PageFacts {
  requests: string[];
  consoleErrors: string[];
  charts: { id: string; marks: number; hasSpec: boolean }[];
  specs: number;
  unrendered: string[];
  headline: Record<string, { value: string; from: string }>;
  findings: { severity: string; text: string }[];
  text: string;
  pdfPages: number;
  pdfHead: string;
}

/** Open the file in headless Chromium with every non-file request blocked; gather what the page shows. */
async function openInChromium(file: string, screenshot?: string): Promise<PageFacts> {
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  const profile = tempDir("cassperf-chromium-");
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 1400 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await ctx.newPage();
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    // The page's Content-Security-Policy (default-src 'none') also refuses any fetch: a refusal is a
    // console error ("Refused to load ..."), so an attempted request fails this test either way.
    await page.goto(`file://${file}`, { waitUntil: "load" });
    if (screenshot) await page.screenshot({ path: screenshot });
    // Printed to PDF (print media rules): a real multi-page PDF comes out.
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    await page.emulateMedia({ media: "screen" });
    const facts = await page.evaluate(() => {
      const charts = [...document.querySelectorAll("figure.chart")].map((f) => ({
        id: f.id,
        // vega's SVG renderer puts each mark's items (paths, rects, lines, text) in a <g class="... role-mark ...">.
        marks: f.querySelectorAll("svg g.role-mark > *").length,
        hasSpec: f.querySelector('script[type="application/json"].vega-lite-spec') !== null,
      }));
      const headline: Record<string, { value: string; from: string }> = {};
      for (const tr of document.querySelectorAll("table.headline tr[data-metric]")) {
        const cells = tr.querySelectorAll("td");
        headline[(tr as HTMLElement).dataset.metric!] = { value: cells[0]?.textContent ?? "", from: cells[3]?.textContent ?? "" };
      }
      const findings = [...document.querySelectorAll(".finding")].map((f) => {
        return { severity: [...f.classList].find((c) => c !== "finding") ?? "", text: f.textContent ?? "" };
      });
      return {
        charts,
        specs: document.querySelectorAll('script[type="application/json"].vega-lite-spec').length,
        // Charts not drawn, with the reason the report gives.
        unrendered: [...document.querySelectorAll(".chart p.muted")].map((p) => p.textContent ?? ""),
        headline,
        findings,
        text: document.body.textContent,
      };
    });
    // Every script on the page is data (application/json): nothing executes.
    const scripts = await page.evaluate(() => [...document.querySelectorAll("script")].filter((s) => s.type !== "application/json").length);
    assert.equal(scripts, 0, "the report runs no script");
    const pdfPages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return { requests, consoleErrors, pdfPages, pdfHead: pdf.subarray(0, 5).toString("latin1"), ...facts };
  } finally {
    await ctx.close();
  }
}

const DSE68_TEST = "report --html on the dse68 bundle: offline, no console error, every chart drawn, the worst GC stop and its system.log line";
test(DSE68_TEST, { timeout: 600_000 }, async (t) => {
  if (!chromiumOrSkip(t)) return;
  const dir = tempDir();
  const file = reportHtml(DSE68, dir);
  const shot = path.join(dir, "dse68.png");
  const page = await openInChromium(file, shot);
  assert.deepEqual(page.requests, [], "no network request attempted");
  assert.deepEqual(page.consoleErrors, []);
  assert.ok(page.charts.length >= 5, `charts: ${page.charts.map((c) => c.id).join(", ")}`);
  for (const c of page.charts) {
    assert.ok(c.marks > 0, `chart ${c.id} has marks`);
    assert.ok(c.hasSpec, `chart ${c.id} carries its Vega-Lite spec`);
  }
  assert.equal(page.specs, page.charts.length);
  // A chart is left out only when its helper gave it no data (e.g. heap sizes: this bundle excerpt has no GC log), and says so.
  for (const u of page.unrendered) assert.match(u, /has no data to draw from this source/);
  assert.ok(
    page.unrendered.some((u) => /Heap after GC/.test(u)),
    "the heap chart is not drawn empty: no GC log here, so no heap sizes",
  );
  assert.ok(fs.statSync(shot).size > 10_000, "a screenshot was taken");
  assert.equal(page.pdfHead, "%PDF-");
  assert.ok(page.pdfPages >= 3, `printed to ${page.pdfPages} PDF pages`);

  // Expected, read here from the bundle's own system.log: the longest GCInspector "GC in N ms" line and its line number.
  const sysRel = "nodes/172.17.0.2/logs/cassandra/system.log";
  const lines = fs.readFileSync(path.join(DSE68, sysRel), "utf8").split("\n");
  let worst = { ms: -1, line: 0 };
  lines.forEach((l, i) => {
    const m = /GCInspector\.java:\d+ - .* GC in (\d+)ms/.exec(l);
    if (m && Number(m[1]) > worst.ms) worst = { ms: Number(m[1]), line: i + 1 };
  });
  assert.equal(worst.ms, 2066, "the bundle's worst GCInspector pause (sperf's testdata README: 2066 ms G1 Old Generation)");
  const gc = page.headline["worst GC pause (GCInspector)"];
  assert.ok(gc, `headline rows: ${Object.keys(page.headline).join(", ")}`);
  assert.equal(gc.value, `${worst.ms} ms`);
  assert.equal(gc.from, `${sysRel}:${worst.line}`);

  // Nodes: the folders under nodes/. Versions: the nodetool version file's "ReleaseVersion: x".
  assert.equal(page.headline.nodes.value, String(fs.readdirSync(path.join(DSE68, "nodes")).length));
  const version = /ReleaseVersion:\s*(\S+)/.exec(fs.readFileSync(path.join(DSE68, "nodes/172.17.0.2/nodetool/version"), "utf8"))![1];
  assert.equal(page.headline.versions.value, version);

  // Dropped messages in the logs: the "messages were dropped" lines' internal + cross-node counts, summed here.
  let dropped = 0;
  for (const l of lines) {
    const m = /messages were dropped in the last \d+ s: (\d+) internal and (\d+) cross node/.exec(l);
    if (m) dropped += Number(m[1]) + Number(m[2]);
  }
  assert.equal(page.headline["dropped messages (log lines)"].value, String(dropped));

  // Findings: a critical one citing the 2,066 ms pause at that line.
  const cites = (f: { severity: string; text: string }) => f.severity === "critical" && f.text.includes("2,066") && f.text.includes(`${sysRel}:${worst.line}`);
  assert.ok(page.findings.some(cites), page.findings.map((f) => f.text).join("\n"));
  // The incident timeline is zoomed on the day of that pause (its line's date).
  const day = lines[worst.line - 1].match(/\d{4}-\d{2}-\d{2}/)![0];
  assert.match(page.text, new RegExp(`Timeline, zoomed on the incident \\(${day}T`));
  // What the source cannot answer is said, with why.
  assert.match(page.text, /What this source cannot answer/);
  assert.match(page.text, /traces\s*none of the files it reads/); // textContent: the table cells run together
});

test("report --html on the bundled 5.0 lab recording: 3 nodes, their versions from cassperf.json, charts drawn offline", { timeout: 600_000 }, async (t) => {
  if (!chromiumOrSkip(t)) return;
  const dir = tempDir();
  const file = reportHtml(LAB50, dir);
  const page = await openInChromium(file, path.join(dir, "lab50.png"));
  assert.deepEqual(page.requests, []);
  assert.deepEqual(page.consoleErrors, []);
  for (const c of page.charts) assert.ok(c.marks > 0, `chart ${c.id} has marks`);
  assert.ok(page.charts.length >= 5);
  for (const u of page.unrendered) assert.match(u, /has no data to draw from this source/);
  // Expected from the recording's manifest, read here.
  const manifest = JSON.parse(fs.readFileSync(path.join(LAB50, "cassperf.json"), "utf8")) as { cassandra_versions?: Record<string, string> };
  const versions = [...new Set(Object.values(manifest.cassandra_versions ?? {}))];
  assert.ok(versions.length > 0);
  assert.equal(page.headline.versions.value, versions.join(", "));
  assert.equal(page.headline.nodes.value, String(fs.readdirSync(path.join(LAB50, "nodes")).length));
  assert.ok(page.findings.length > 0);
});
