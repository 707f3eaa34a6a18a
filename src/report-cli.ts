/**
 * `cassperf report [path]`: open a source (default: the bundled dataset) and print, as terminal
 * text, its inventory and the report of every helper it can answer.
 */
import * as fs from "node:fs";
import { CassperfError } from "./errors";
import * as api from "./index";
import { inventory } from "./analyze/inventory";
import { BUNDLED_DATASET } from "./kernel/kernelspec";

const USAGE = `usage: cassperf report [path]
  path   a dataset folder, a diagnostic bundle (.tar.gz/.zip) or one file (default: the bundled dataset)`;

/** The one optional path; an option or a second argument is refused with the usage, never ignored. */
export function parseReportArgs(args: string[]): { target?: string; help?: true } {
  if (args.length === 1 && (args[0] === "-h" || args[0] === "--help")) return { help: true };
  const option = args.find((a) => a.startsWith("-"));
  if (option !== undefined) throw new CassperfError(`report: unknown option ${JSON.stringify(option)}.`, { hint: USAGE });
  if (args.length > 1) throw new CassperfError(`report: one source at a time; got ${args.length} arguments (${args.map((a) => JSON.stringify(a)).join(", ")}).`, { hint: USAGE });
  return args.length ? { target: args[0] } : {};
}

export async function runReportCli(args: string[]): Promise<number> {
  const parsed = parseReportArgs(args);
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const target = parsed.target ?? BUNDLED_DATASET;
  if (!fs.existsSync(target)) throw new CassperfError(`report: ${target} does not exist.`);
  const width = Math.min(process.stdout.columns || 100, 120);
  const color = process.stdout.isTTY === true;
  await api.open(target);
  const inv = await inventory();
  console.log(inv.toText({ width, color }));
  const helpers = api as unknown as Record<string, (...a: unknown[]) => Promise<{ toText(o: object): string }>>;
  const answerable = inv.rows("capabilities").filter((r) => r.answerable).map((r) => String(r.helper));
  for (const helper of answerable) {
    const fn = helper === "trace" ? helpers.traces : helpers[helper];
    if (typeof fn !== "function" || helper === "partitionScan") continue; // partitionScan needs a table name
    try {
      const report = await fn();
      console.log("\n" + report.toText({ width, color }));
    } catch (e) {
      console.log(`\n${helper}: ${(e as Error).message}`);
    }
  }
  return 0;
}
