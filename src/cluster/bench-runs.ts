/**
 * bench's runs at the I/O edge: the runs made on a live source in this session (what record()
 * saves as bench/<run>.json), the JSON a saved run is written as, and the files a user names by
 * path (a saved run, a cassandra-stress output) read with one clear error for a folder, a FIFO or
 * a missing file. ../analyze/bench/bench.ts turns what this reads into reports; record.ts and
 * ./capabilities.ts read the session's runs from here, so none of them imports the analyzer.
 */
import * as fs from "node:fs";
import { CassperfError } from "../errors";
import { validateBenchRun, type BenchRun } from "../bench/run";
import { readTextFileSync } from "./archive";
import type { Source } from "./source";

const liveRuns = new WeakMap<object, BenchRun[]>();

/**
 * Runs made on a live source in this session, oldest first (record() saves them as bench/<id>.json).
 * @example liveBenchRuns(live).map((r) => r.id)
 */
export function liveBenchRuns(source: Source): BenchRun[] {
  return [...(liveRuns.get(source) ?? [])];
}

/** Keep a run made on a live source (bench() calls it when a run ends, partial or not). */
export function rememberLiveRun(source: Source, run: BenchRun): void {
  const list = liveRuns.get(source) ?? [];
  list.push(run);
  liveRuns.set(source, list);
}

/**
 * The JSON saved as a dataset's bench/<run>.json: the run checked against the format (../bench/run.ts)
 * and copied, so the saved record never shares objects with the live report.
 * @example fs.writeFileSync("bench/run1.json", JSON.stringify(savedRunJSON(run)))
 */
export function savedRunJSON(run: BenchRun): BenchRun {
  return JSON.parse(JSON.stringify(validateBenchRun(run)));
}

/** Whether a path names something on disk (readBenchRun's "is it a path or JSON text?"). */
export function runPathExists(file: string): boolean {
  return fs.existsSync(file);
}

/** The text of a saved run or stress output named by path: a folder, a FIFO or an unreadable file is one clear error. */
export function readRunFile(file: string, helper: string, what: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new CassperfError(`${helper}: ${what} ${JSON.stringify(file)} is not an existing file.`);
  if (st.isDirectory()) {
    const runs = fs
      .readdirSync(file)
      .filter((f) => f.endsWith(".json"))
      .slice(0, 3);
    throw new CassperfError(
      `${helper}: ${what} ${file} is a folder; give one saved run, a bench/<run>.json file${runs.length ? ` (it holds ${runs.join(", ")})` : ""}.`,
      { hint: "or open() the dataset and pass its report: compareRuns(before, after)" },
    );
  }
  if (!st.isFile()) throw new CassperfError(`${helper}: ${what} ${file} is not a regular file.`);
  try {
    return readTextFileSync(file, helper, "a bench run file (bench/<run>.json)");
  } catch (e) {
    if (e instanceof CassperfError) throw e;
    throw new CassperfError(`${helper}: could not read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

/** importStress(file)'s read: the text of one cassandra-stress output (or saved run); a folder points at bench(folder). */
export function readStressFile(file: string): string {
  if (!fs.existsSync(file)) throw new CassperfError(`importStress: ${file} does not exist.`);
  if (fs.statSync(file).isDirectory())
    throw new CassperfError(
      `importStress: ${file} is a folder; expected a cassandra-stress output file (or use bench("${file}") for every run in a recording).`,
    );
  return readTextFileSync(file, "importStress", "a cassandra-stress output file");
}
