/**
 * `cassperf report <source>` and `cassperf compare <before> <after>`: the shareable postmortem.
 *
 * Without an output option the report is printed as terminal text; `--html FILE` writes one offline
 * HTML file, `--md FILE` Markdown with its chart PNGs in a folder beside it, `--json` the same
 * content as data on stdout. Progress goes to stderr (only when it is a terminal); stdout carries
 * nothing but the report. Exit codes are every cassperf command's (src/cli-args.ts EXIT_CODES_HELP): 0 ok,
 * 1 failed (a source that cannot be opened, an existing or unwritable output, an empty window, a
 * failure while running), 2 usage, 3 findings at or above `--fail-on`, 130 interrupted (Ctrl-C).
 * A wrong command line is thrown as a UsageError and any other error is thrown on: src/cli.ts maps
 * both with the one rule (exitCodeOf), as for lab, kernel, run and the REPL.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { EXIT_CODES_HELP, EXIT_FAILED, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from "./cli-args";
import { CassperfError } from "./errors";
import { parseUtc } from "./parse/utc-time";
import { BUNDLED_DATASET } from "./kernel/kernelspec";
import type { Severity } from "./present/report";
import { chartsFolderFor } from "./report/write";

/** Exit codes of `cassperf report` and `cassperf compare`: every command's (src/cli-args.ts), named here. */
export const EXIT = { OK: EXIT_OK, FAILED: EXIT_FAILED, USAGE: EXIT_USAGE, FINDINGS: EXIT_FINDINGS, INTERRUPTED: EXIT_INTERRUPTED } as const;

const OUTPUT_HELP = `  --html FILE          write one offline HTML file (charts inline, no network)
  --md FILE            write Markdown; chart PNGs go in FILE's folder, in <name>_charts/
  --json               print the report as JSON on stdout
  --only a,b           only these helpers (gcStats, jvm, logs, histograms, traces, queryPatterns,
                       compactionAdvice, caches, connections, bench, partitionScan)
  --from T --to T      time window (ISO-8601, no zone = UTC) for the logs, GC pauses and the timeline;
                       the other sections are snapshots and say so
  --fail-on LEVEL      exit 3 when a finding is at least warning|critical
  --force              overwrite existing output files
  -h, --help           this help
${EXIT_CODES_HELP}`;

const OPTION_LINE = "[--html FILE] [--md FILE] [--json] [--only a,b] [--from T] [--to T] [--fail-on warning|critical] [--force]";

export const REPORT_USAGE = `usage: cassperf report [path] ${OPTION_LINE}
  path                 a dataset folder, a diagnostic bundle (.tar.gz/.zip) or one file (default: the bundled dataset)
${OUTPUT_HELP}`;

export const COMPARE_USAGE = `usage: cassperf compare <before> <after> ${OPTION_LINE}
  before, after        two recordings or bundles, or two bench runs (bench/<run>.json, cassandra-stress output)
${OUTPUT_HELP}`;

const OPTIONS = {
  html: { type: "string" },
  md: { type: "string" },
  json: { type: "boolean" },
  only: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "fail-on": { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parsed arguments of report/compare. */
export interface ReportArgs {
  help?: true;
  positionals: string[];
  html?: string;
  md?: string;
  json: boolean;
  only?: string[];
  from?: string;
  to?: string;
  failOn?: "warning" | "critical";
  force: boolean;
}

/** Parse the arguments; an unknown option, a missing value, a bad --fail-on or a --from/--to that is not a time is a UsageError (exit 2). */
export function parseReportArgs(args: string[], command: "report" | "compare" = "report"): ReportArgs {
  const usage = command === "report" ? REPORT_USAGE : COMPARE_USAGE;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, ".");
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    throw new UsageError(`cassperf ${command}`, unknown ? `unknown option ${JSON.stringify(unknown[1])}.` : msg, usage);
  }
  const refuse = (message: string) => new UsageError(`cassperf ${command}`, message, usage);
  const v = parsed.values;
  if (v.help) return { help: true, positionals: [], json: false, force: false };
  const pos = parsed.positionals;
  if (command === "report" && pos.length > 1) {
    throw refuse(`one source at a time; got ${pos.length} arguments (${pos.map((a) => JSON.stringify(a)).join(", ")}).`);
  }
  if (command === "compare" && pos.length !== 2) throw refuse(`needs two sources, before and after; got ${pos.length}.`);
  const level = v["fail-on"];
  if (level !== undefined && level !== "warning" && level !== "critical") {
    throw refuse(`--fail-on must be warning or critical; got ${JSON.stringify(level)}.`);
  }
  for (const k of ["html", "md", "only", "from", "to"] as const) if (v[k] === "") throw refuse(`--${k} needs a value.`);
  for (const k of ["from", "to"] as const) {
    const t = v[k];
    if (t !== undefined && Number.isNaN(parseUtc(t))) throw refuse(`--${k} ${JSON.stringify(v[k])} is not an ISO-8601 time (e.g. 2020-07-22T13:30:00Z).`);
  }
  if (v.html !== undefined && v.md !== undefined && path.resolve(v.html) === path.resolve(v.md)) {
    throw refuse(`--html and --md name the same file ${v.html}.`);
  }
  const out: ReportArgs = { positionals: pos, json: v.json === true, force: v.force === true };
  if (v.html !== undefined) out.html = v.html;
  if (v.md !== undefined) out.md = v.md;
  if (v.only !== undefined)
    out.only = v.only
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (v.from !== undefined) out.from = v.from;
  if (v.to !== undefined) out.to = v.to;
  if (v["fail-on"] !== undefined) out.failOn = v["fail-on"] as "warning" | "critical";
  return out;
}

/** True when a finding of `severity` is at or above `level`. */
export function atOrAbove(severity: Severity, level: "warning" | "critical"): boolean {
  return level === "critical" ? severity === "critical" : severity === "critical" || severity === "warning";
}

/**
 * Progress on stderr: on a terminal one line, rewritten; elsewhere (a CI log) only with
 * CASSPERF_PROGRESS=1, one plain line each time. Never on stdout, which holds the report.
 */
function progressLine(): { say(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  if (!tty && process.env.CASSPERF_PROGRESS !== "1") return { say() {}, done() {} };
  let last = "";
  return {
    say(text: string) {
      if (!tty) {
        if (text !== last) process.stderr.write(`${text}\n`);
        last = text;
        return;
      }
      const line = text.slice(0, Math.max(20, (process.stderr.columns || 80) - 1));
      process.stderr.write(`\r\x1b[2K${line}`);
      last = line;
    },
    done() {
      if (last && tty) process.stderr.write("\r\x1b[2K");
    },
  };
}

/**
 * The figures of a progress line: files and MB done of the total, and the rate.
 * @example progressFigures({ filesDone: 3, filesTotal: 17, bytesDone: 2.5e6, bytesTotal: 7.8e6, bytesPerSecond: 1.2e6 }) // "[######..............] 3/17 files, 2.5/7.8 MB, 1.2 MB/s"
 */
export function progressFigures(p: import("./report/progress").ReadProgress): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const filled = p.bytesTotal > 0 ? Math.round((20 * Math.min(p.bytesDone, p.bytesTotal)) / p.bytesTotal) : 20;
  const bar = `[${"#".repeat(filled)}${".".repeat(20 - filled)}]`;
  return `${bar} ${p.filesDone}/${p.filesTotal} files, ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB, ${mb(p.bytesPerSecond)} MB/s`;
}

/** Run `fn` with an AbortSignal that Ctrl-C (SIGINT) aborts; temporary outputs are removed on abort. */
async function interruptible(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const ac = new AbortController();
  // First Ctrl-C: abort (helpers stop at their next check, temporary files are removed). A second: leave now.
  const onSigint = () => {
    if (!ac.signal.aborted) return ac.abort(new CassperfError("interrupted (Ctrl-C)"));
    (require("./report/write") as typeof import("./report/write")).discardPending();
    console.error("cassperf: interrupted (Ctrl-C twice); nothing was written.");
    process.exit(EXIT_INTERRUPTED);
  };
  process.on("SIGINT", onSigint);
  try {
    return await fn(ac.signal);
  } catch (e) {
    if (ac.signal.aborted) {
      (require("./report/write") as typeof import("./report/write")).discardPending();
      console.error("cassperf: interrupted (Ctrl-C); nothing was written.");
      return EXIT_INTERRUPTED;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

export async function runReportCli(args: string[]): Promise<number> {
  // A wrong command line throws a UsageError; src/cli.ts prints it and exits 2 (the one rule, src/cli-args.ts).
  const parsed = parseReportArgs(args, "report");
  if (parsed.help) {
    console.log(REPORT_USAGE);
    return EXIT.OK;
  }
  const a = parsed;
  // Interrupted: interruptible() answers 130. Any other error is thrown on to src/cli.ts: one line, exit 1 (the one rule).
  return interruptible(async (signal) => {
    const target = a.positionals[0] ?? BUNDLED_DATASET;
    if (!fs.existsSync(target)) throw new CassperfError(`report: ${target} does not exist.`);
    const w = require("./report/write") as typeof import("./report/write");
    // Refuse an existing or unwritable output before doing any work.
    if (a.html) w.checkTarget(a.html, a.force);
    if (a.md) w.checkTarget(a.md, a.force), w.checkTarget(chartsFolderFor(a.md), a.force);
    const progress = progressLine();
    const { buildReportModel } = require("./report/model") as typeof import("./report/model");
    const started = Date.now();
    let now = `opening ${target}`;
    let read = "";
    const say = () => progress.say(`cassperf report (${((Date.now() - started) / 1000).toFixed(0)} s): ${read}${now}`);
    say(); // at once: work has begun (and Ctrl-C is handled from here)
    const tick = setInterval(say, 500);
    const onPhase = (p: { phase: string } & import("./report/progress").ReadProgress) => {
      read = `${progressFigures(p)}: `;
      // A new phase, or the last file read, is said at once; the rest at the tick (at most twice a second).
      const last = p.filesDone === p.filesTotal;
      if (p.phase !== now || last) (now = p.phase), say();
    };
    let model: import("./report/model").ReportModel;
    try {
      model = await buildReportModel(target, { ...modelOptions(a), signal, onPhase });
    } finally {
      clearInterval(tick);
    }
    await writeModel(model, a, signal, progress);
    progress.done();
    return failOn(model.findings, a.failOn);
  });
}

/** Exit 3 (EXIT_FINDINGS) when a finding is at or above the level (and say so on stderr), else 0. */
function failOn(findings: { severity: Severity }[], level: "warning" | "critical" | undefined): number {
  if (!level) return EXIT.OK;
  const n = findings.filter((f) => atOrAbove(f.severity, level)).length;
  if (n) console.error(`cassperf: ${n} finding(s) at or above ${level} (--fail-on ${level}): exit ${EXIT_FINDINGS}`);
  return n ? EXIT.FINDINGS : EXIT.OK;
}

/** Render and write the outputs the arguments ask for (text on stdout when none). */
/** --only, --from and --to as model options. */
function modelOptions(a: ReportArgs): { only?: string[]; from?: string; to?: string } {
  return { ...(a.only ? { only: a.only } : {}), ...(a.from ? { from: a.from } : {}), ...(a.to ? { to: a.to } : {}) };
}

type ProgressLine = { say(t: string): void; done(): void };
async function writeModel(model: import("./report/model").ReportModel, a: ReportArgs, signal: AbortSignal, progress: ProgressLine): Promise<void> {
  const { renderCharts, modelToJSON, allCharts } = require("./report/model") as typeof import("./report/model");
  const w = require("./report/write") as typeof import("./report/write");
  const outputs: import("./report/write").Output[] = [];
  if (a.html || a.md) await renderCharts(model, (done, total) => progress.say(`cassperf report: chart ${done}/${total}`), signal);
  if (a.html) outputs.push({ target: a.html, content: (require("./report/html") as typeof import("./report/html")).renderHtml(model) });
  if (a.md) {
    const { renderMarkdown, pngs } = require("./report/markdown") as typeof import("./report/markdown");
    const folder = chartsFolderFor(a.md);
    outputs.push({ target: folder, folder: await pngs(allCharts(model), signal) });
    outputs.push({ target: a.md, content: renderMarkdown(model, path.basename(folder)) });
  }
  if (outputs.length) await w.writeOutputs(outputs, { force: a.force, signal });
  progress.done();
  if (a.json) process.stdout.write(`${JSON.stringify(modelToJSON(model), null, 2)}\n`);
  else if (!outputs.length) process.stdout.write(textReport(model));
  for (const o of outputs) if (!("folder" in o)) console.error(`cassperf: wrote ${o.target}`);
}

/** The terminal rendering: the health report's text then every section's, as `cassperf report` always printed. */
function textReport(model: import("./report/model").ReportModel): string {
  const { reportsOf } = require("./report/model") as typeof import("./report/model");
  const width = Math.min(process.stdout.columns || 100, 120);
  const color = process.stdout.isTTY === true;
  const reports = reportsOf(model);
  const out: string[] = [];
  const health = (model as unknown as { health?: { toText(o: object): string } }).health;
  if (health) out.push(health.toText({ width, color }));
  for (const s of model.sections) {
    const r = reports[s.helper];
    if (r) out.push(r.toText({ width, color }));
    else if (s.status === "failed") out.push(`${s.helper}: failed: ${s.reason}`);
  }
  if (model.timeline) out.push(`timeline: ${model.timeline.why}`);
  return `${out.join("\n\n")}\n`;
}

export async function runCompareCli(args: string[]): Promise<number> {
  const parsed = parseReportArgs(args, "compare");
  if (parsed.help) {
    console.log(COMPARE_USAGE);
    return EXIT.OK;
  }
  const a = parsed;
  return interruptible(async (signal) => {
    const [before, after] = a.positionals;
    for (const p of [before, after]) if (!fs.existsSync(p)) throw new CassperfError(`compare: ${p} does not exist.`);
    const w = require("./report/write") as typeof import("./report/write");
    if (a.html) w.checkTarget(a.html, a.force);
    if (a.md) w.checkTarget(a.md, a.force), w.checkTarget(chartsFolderFor(a.md), a.force);
    const progress = progressLine();
    const c = require("./report/compare") as typeof import("./report/compare");
    progress.say(`cassperf compare: reading ${before} and ${after}`);
    const model = await c.buildCompareModel(before, after, { ...modelOptions(a), signal });
    await c.writeCompare(model, a, signal, (t) => progress.say(t));
    progress.done();
    return failOn(c.gatingFindings(model), a.failOn);
  });
}
