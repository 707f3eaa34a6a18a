/**
 * The REPL's `:` commands, one table: name, arguments, one line of help, and what it does.
 * They act on the last report shown (`:save`, `:export`, `:table`, `:chart`) or the last error
 * (`:trace`). Files are never overwritten unless `--force` is given.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Report } from "../present/report";
import { helperNames, subjectOf } from "../registry";
import { chartToText } from "./chart-text";
import { renderPage, type RenderOptions } from "./render";

/** What commands can see and change. */
export interface CommandContext {
  lastReport?: Report<string>;
  lastError?: unknown;
  /** The frame being paged by :table / :more. */
  pager?: { frame: string; page: number };
  /** One line: the current source, or why there is none. */
  describeSource(): string;
  render: RenderOptions;
  /** Set by :exit. */
  exit?: boolean;
  /** Write raw bytes to the terminal above the live area (Ink's useStdout().write); for inline images. */
  writeRaw?: (data: string) => void;
  /** Environment deciding inline-image support (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The inline-image protocol the terminal speaks, if any: iTerm2's (also WezTerm) or kitty's. */
export function inlineImageProtocol(env: NodeJS.ProcessEnv = process.env): "iterm" | "kitty" | undefined {
  if (env.KITTY_WINDOW_ID || env.TERM === "xterm-kitty") return "kitty";
  if (env.TERM_PROGRAM === "iTerm.app" || env.TERM_PROGRAM === "WezTerm" || env.LC_TERMINAL === "iTerm2") return "iterm";
  return undefined;
}

/** The escape sequence showing a PNG inline, `cells` columns wide. */
export function inlineImage(png: Buffer, protocol: "iterm" | "kitty", cells: number): string {
  const b64 = png.toString("base64");
  if (protocol === "iterm") return `\x1b]1337;File=inline=1;size=${png.length};width=${cells};preserveAspectRatio=1:${b64}\x07\n`;
  // kitty: base64 in chunks of at most 4096 bytes, m=1 on all but the last
  const chunks = b64.match(/.{1,4096}/g) ?? [];
  return chunks.map((c, i) => `\x1b_G${i === 0 ? `a=T,f=100,c=${cells},` : ""}m=${i < chunks.length - 1 ? 1 : 0};${c}\x1b\\`).join("") + "\n";
}

interface Command {
  name: string;
  args: string;
  help: string;
  run(ctx: CommandContext, args: string[], force: boolean): string[] | Promise<string[]>;
}

const NO_REPORT = "no report yet: run a helper first, e.g. await inventory()";

/** What :save and :export say when the file is there and --force was not given. */
function alreadyExists(file: string): string {
  return `✗ ${file} already exists: not overwritten (add --force to replace it)`;
}

/** Why `name` is not a chart of `r`, or undefined when it is. */
function chartArg(r: Report<string>, name: string | undefined): string | undefined {
  if (name && r.chartNames.includes(name)) return undefined;
  return `no chart "${name ?? ""}"; charts are ${r.chartNames.join(", ") || "(none)"}`;
}

/** Why `frame` is not a frame of `r`, or undefined when it is. */
function frameArg(r: Report<string>, frame: string): string | undefined {
  if (r.frameNames.includes(frame)) return undefined;
  return `no frame "${frame}"; frames are ${r.frameNames.join(", ")}`;
}

export const COMMANDS: Command[] = [
  { name: "help", args: "", help: "this list, and the keys", run: () => helpText() },
  { name: "source", args: "", help: "what the current source is", run: (ctx) => [ctx.describeSource()] },
  {
    name: "trace",
    args: "",
    help: "the stack of the last error",
    run: (ctx) => {
      const e = ctx.lastError;
      if (e === undefined) return ["no error yet"];
      if (e instanceof Error)
        return (e.stack ?? `${e.name}: ${e.message}`).split("\n").concat(e.cause ? [`cause: ${String((e.cause as Error)?.stack ?? e.cause)}`] : []);
      return [String(e)];
    },
  },
  {
    name: "table",
    args: "[frame] [page]",
    help: "page through a frame of the last report",
    run: (ctx, args) => {
      const r = ctx.lastReport;
      if (!r) return [NO_REPORT];
      const frame = args.find((a) => !/^\d+$/.test(a)) ?? ctx.pager?.frame ?? r.frameNames[0];
      const bad = frameArg(r, frame);
      if (bad) return [bad];
      const page = Number(args.find((a) => /^\d+$/.test(a)) ?? 1);
      const { lines } = renderPage(r, frame, page, ctx.render);
      ctx.pager = { frame, page };
      return lines;
    },
  },
  {
    name: "more",
    args: "",
    help: "the next page of the frame :table shows",
    run: (ctx) => {
      const r = ctx.lastReport;
      if (!r || !ctx.pager) return ["nothing to page: :table <frame> first"];
      const { lines, pages } = renderPage(r, ctx.pager.frame, ctx.pager.page + 1, ctx.render);
      if (ctx.pager.page >= pages) return [`${ctx.pager.frame}: that was the last page`];
      ctx.pager.page++;
      return lines;
    },
  },
  {
    name: "chart",
    args: "[name]",
    help: "draw a chart of the last report in the terminal",
    run: (ctx, args) => {
      const r = ctx.lastReport;
      if (!r) return [NO_REPORT];
      const name = args[0] ?? r.chartNames[0];
      const bad = chartArg(r, name);
      if (bad) return [bad];
      return chartToText(name, r.chart(name).spec, { width: ctx.render.width, color: ctx.render.color });
    },
  },
  {
    name: "save",
    args: "[chart] file.png|file.svg [--force]",
    help: "write a chart of the last report as PNG or SVG",
    run: async (ctx, args, force) => {
      const r = ctx.lastReport;
      if (!r) return [NO_REPORT];
      const file = args[args.length - 1];
      if (!file || !/\.(png|svg)$/i.test(file)) return ["usage: :save [chart] file.png|file.svg [--force]"];
      const name = args.length > 1 ? args[0] : r.chartNames[0];
      const bad = chartArg(r, name);
      if (bad) return [bad];
      const refused = refuseOverwrite(file, force);
      if (refused) return [refused];
      const chart = r.chart(name);
      const data = /\.png$/i.test(file) ? await chart.toPNG() : await chart.toSVG();
      return [writeNew(file, data, force)];
    },
  },
  {
    name: "image",
    args: "[chart]",
    help: "show a chart as an inline image (iTerm2, WezTerm, kitty)",
    run: async (ctx, args) => {
      const r = ctx.lastReport;
      if (!r) return [NO_REPORT];
      const protocol = inlineImageProtocol(ctx.env);
      if (!protocol || !ctx.writeRaw)
        return ["this terminal does not show inline images (iTerm2, WezTerm and kitty do): :save <chart> file.png, or :chart for blocks"];
      const name = args[0] ?? r.chartNames[0];
      const bad = chartArg(r, name);
      if (bad) return [bad];
      ctx.writeRaw(inlineImage(await r.chart(name).toPNG(), protocol, Math.min(ctx.render.width, 100)));
      return [];
    },
  },
  {
    name: "export",
    args: "<frame> file.csv|file.json [--force]",
    help: "write a frame of the last report as CSV or JSON",
    run: (ctx, args, force) => {
      const r = ctx.lastReport;
      if (!r) return [NO_REPORT];
      const [frame, file] = args;
      if (!frame || !file || !/\.(csv|json)$/i.test(file)) return ["usage: :export <frame> file.csv|file.json [--force]"];
      const bad = frameArg(r, frame);
      if (bad) return [bad];
      const refused = refuseOverwrite(file, force);
      if (refused) return [refused];
      const text = /\.csv$/i.test(file) ? toCsv(r.columns(frame)) : JSON.stringify(r.rows(frame), null, 1) + "\n";
      return [writeNew(file, text, force)];
    },
  },
  {
    name: "exit",
    args: "",
    help: "leave (or Ctrl-D)",
    run: (ctx) => {
      ctx.exit = true;
      return [];
    },
  },
];

/** Run a `:command line`. */
export async function runCommand(line: string, ctx: CommandContext): Promise<string[]> {
  const words = line.trim().slice(1).split(/\s+/).filter(Boolean);
  const force = words.includes("--force");
  const [name, ...args] = words.filter((w) => w !== "--force");
  const cmd = COMMANDS.find((c) => c.name === name) ?? (name === "quit" ? COMMANDS.find((c) => c.name === "exit") : undefined);
  if (!cmd) return [`unknown command :${name ?? ""} — :help lists them`];
  return cmd.run(ctx, args, force);
}

/** Names of the commands, for Tab after ":". */
export function commandNames(): string[] {
  return COMMANDS.map((c) => c.name);
}

/** The registry's helpers as `name(subject)`, wrapped at 100 columns (./registry.ts; loaded with the prelude). */
function helperLines(): string[] {
  if (!helperNames().length) require("../helpers"); // :help before the prelude loaded them
  const calls = helperNames().map((n) => `${n}(${subjectOf(n) === "source" ? "source?" : subjectOf(n)})`);
  const lines: string[] = [];
  for (const c of calls) {
    if (lines.length && lines[lines.length - 1].length + c.length + 2 <= 100) lines[lines.length - 1] += `  ${c}`;
    else lines.push(`  ${c}`);
  }
  return lines;
}

function helpText(): string[] {
  const w = Math.max(...COMMANDS.map((c) => c.name.length + c.args.length + 2));
  return [
    "Type TypeScript: open, connect, use and every helper are in scope; each takes its subject first, then { source, ...options }:",
    ...helperLines(),
    "  e.g. await gcStats()      const r = await inventory(); r.summary",
    "Commands:",
    ...COMMANDS.map((c) => `  :${`${c.name} ${c.args}`.padEnd(w)} ${c.help}`),
    "Keys: Enter runs (continues when the code is incomplete; an empty line forces it) · Up/Down history ·",
    "      Tab completes · Ctrl-C cancels the running helper (or clears the line) · Ctrl-D exits",
  ];
}

/** A message when `file` exists and `force` is not set. */
function refuseOverwrite(file: string, force: boolean): string | undefined {
  if (!force && fs.existsSync(file)) return alreadyExists(file);
  return undefined;
}

/** Write a file, refusing to replace an existing one unless forced (checked again at open: "wx"). */
function writeNew(file: string, data: string | Buffer, force: boolean): string {
  try {
    fs.writeFileSync(file, data, { flag: force ? "w" : "wx" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return alreadyExists(file);
    return `✗ could not write ${file}: ${(e as Error).message}`;
  }
  return `wrote ${path.resolve(file)} (${Buffer.byteLength(data).toLocaleString("en-US")} bytes)`;
}

/** CSV (RFC 4180 quoting) from plain columns. */
export function toCsv(columns: Record<string, unknown[]>): string {
  const names = Object.keys(columns);
  const n = names.length ? columns[names[0]].length : 0;
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : typeof v === "number" ? String(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [names.map(cell).join(",")];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => cell(columns[c][i])).join(","));
  return lines.join("\n") + "\n";
}
