/**
 * `cassperf report [path]`: open a source (default: the bundled dataset) and print, as terminal
 * text, its inventory and the report of every helper it can answer.
 */
import * as fs from "node:fs";
import { CassperfError } from "./errors";
import * as api from "./index";
import { inventory } from "./analyze/inventory";
import { BUNDLED_DATASET } from "./kernel/kernelspec";

export async function runReportCli(args: string[]): Promise<number> {
  const target = args.find((a) => !a.startsWith("-")) ?? BUNDLED_DATASET;
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
