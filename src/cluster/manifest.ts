/**
 * The dataset manifest (cassperf.json), read and checked on open.
 *
 * A manifest comes from disk, so it is treated as input, not trusted: an unusable one (not JSON,
 * not an object, another format, a format version this cassperf does not know) is refused with
 * one clear error; a usable one with a field of the wrong type keeps everything else and says
 * what it ignored; and the files it lists are checked against the disk (missing, size, sha256, and
 * files it does not list), each difference one note shown on every report from the source. A
 * doubled gc.log, for instance, shows up as a size and sha256 difference instead of as extra pauses.
 *
 * The DatasetManifest type lives here (recorded.ts re-exports it), so recorded.ts imports this
 * module and not the other way round.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";
import { unsafeEntryReason } from "./archive";

/** The manifest a cassperf dataset carries (cassperf.json). */
export interface DatasetManifest {
  format: "cassperf-dataset";
  version: 1;
  cluster_name?: string;
  /** Cassandra release version per node, as the node reported it. */
  cassandra_versions?: Record<string, string>;
  captured_at?: string;
  nodes?: string[];
  /** What was captured: "traces", "schema", "nodetool", "logs", "gc-logs", "bench", "stress". */
  captured?: string[];
  /** sha256 and size of each file, by path relative to the dataset. */
  files?: Record<string, { sha256: string; bytes: number }>;
  /** Anything the recorder wants to say (how it was made). */
  notes?: string;
  /** Files record() shortened to a size limit (very long lines cut, then first quarter + last three quarters, at line boundaries). */
  truncated?: Record<string, { original_bytes: number; kept_bytes: number; long_lines_cut?: number }>;
  /** Parts record() could not capture, one sentence each. */
  skipped?: string[];
}

/** The manifest format versions this cassperf reads (record() writes version 1). */
export const MANIFEST_VERSIONS = [1];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeWords = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `${JSON.stringify(v)} (a ${typeof v})`;

/** One optional field: how to check it. `fix` returns the kept value (bad items dropped, each with a note) or undefined to drop the field. */
interface FieldRule {
  field: keyof DatasetManifest;
  expected: string;
  fix: (v: unknown, note: (s: string) => void) => unknown;
}

const stringField = (field: keyof DatasetManifest, expected: string): FieldRule => ({ field, expected, fix: (v) => (typeof v === "string" ? v : undefined) });
const stringList = (field: keyof DatasetManifest): FieldRule => ({
  field,
  expected: "a list of strings",
  fix: (v, note) => {
    if (!Array.isArray(v)) return undefined;
    return v.filter((x, i) => (typeof x === "string" ? true : (note(`${field}[${i}] is ${typeWords(x)}, expected a string; ignored`), false)));
  },
});
const recordOf = (field: keyof DatasetManifest, expected: string, ok: (x: unknown) => boolean, itemExpected: string): FieldRule => ({
  field,
  expected,
  fix: (v, note) => {
    if (!isObject(v)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (ok(x)) out[k] = x;
      else note(`${field}["${k}"] is ${typeWords(x)}, expected ${itemExpected}; ignored`);
    }
    return out;
  },
});

/** The optional fields record() writes, with the type each must have (DESIGN.md "Dataset layout"). */
const FIELD_RULES: FieldRule[] = [
  stringField("cluster_name", "a string"),
  recordOf("cassandra_versions", "an object of node -> version string", (x) => typeof x === "string", 'a version string like "4.0.11"'),
  stringField("captured_at", "an ISO-8601 time string"),
  stringList("nodes"),
  stringList("captured"),
  recordOf(
    "files",
    "an object of path -> { sha256, bytes }",
    (x) => isObject(x) && typeof x.sha256 === "string" && /^[0-9a-f]{64}$/i.test(x.sha256) && Number.isSafeInteger(x.bytes) && (x.bytes as number) >= 0,
    "{ sha256: 64 hex digits, bytes: a whole number }",
  ),
  stringField("notes", "a string"),
  recordOf(
    "truncated",
    "an object of path -> { original_bytes, kept_bytes }",
    (x) => isObject(x) && Number.isFinite(x.original_bytes) && Number.isFinite(x.kept_bytes),
    "{ original_bytes, kept_bytes }",
  ),
  stringList("skipped"),
];

/**
 * Parse and check a manifest's text. Throws a CassperfError when it cannot be used at all;
 * otherwise returns the manifest with only well-typed fields, and one note per thing ignored.
 */
export function parseManifest(text: string, where: string, noteName = "cassperf.json"): { manifest: DatasetManifest; notes: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CassperfError(`open: ${where} is not valid JSON (${(e as Error).message}); expected a cassperf dataset manifest.`);
  }
  if (!isObject(raw))
    throw new CassperfError(`open: ${where} is ${typeWords(raw)}, not a cassperf dataset manifest; expected a JSON object with "format": "cassperf-dataset".`);
  if (raw.format !== "cassperf-dataset") throw new CassperfError(`open: ${where} has format ${JSON.stringify(raw.format)}; expected "cassperf-dataset".`);
  if (!MANIFEST_VERSIONS.includes(raw.version as number)) {
    throw new CassperfError(
      `open: ${where} has format version ${JSON.stringify(raw.version) ?? "(none)"}; this cassperf reads version ${MANIFEST_VERSIONS.join(", ")}.`,
      {
        hint: "open it with the cassperf that recorded it, or record the cluster again",
      },
    );
  }
  const notes: string[] = [];
  const manifest: Record<string, unknown> = { format: "cassperf-dataset", version: raw.version };
  for (const rule of FIELD_RULES) {
    const v = raw[rule.field];
    if (v === undefined) continue;
    const kept = rule.fix(v, (s) => notes.push(`${noteName}: ${s}.`));
    if (kept === undefined) notes.push(`${noteName}: ${rule.field} is ${typeWords(v)}, expected ${rule.expected}; ignored.`);
    else manifest[rule.field] = kept;
  }
  return { manifest: manifest as unknown as DatasetManifest, notes };
}

/** sha256 of a file: read whole when small (one syscall, no stream round trips), streamed when large. */
async function sha256File(file: string, size: number): Promise<string> {
  if (size <= 16 * 2 ** 20) return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  return new Promise((resolve, reject) => {
    const h = crypto.createHash("sha256");
    fs.createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

/**
 * Compare the files a manifest lists with the dataset on disk: one note per difference.
 * `present` is every file found under `root` (paths relative to it, `/`-separated).
 */
export async function verifyManifestFiles(manifest: DatasetManifest, root: string, present: string[], manifestName: string): Promise<string[]> {
  const listed = manifest.files;
  if (!listed) return [];
  const notes: string[] = [];
  for (const [rel, want] of Object.entries(listed)) {
    const unsafe = unsafeEntryReason(rel);
    if (unsafe) {
      notes.push(`${manifestName} lists "${rel}", which ${unsafe}; not checked.`);
      continue;
    }
    const abs = path.join(root, rel);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      notes.push(`${rel} is listed in ${manifestName} but missing: what it held is not in any report.`);
      continue;
    }
    if (!st.isFile()) {
      notes.push(`${rel} is listed in ${manifestName} as a file but is not a regular file here; skipped.`);
      continue;
    }
    if (st.size !== want.bytes) {
      notes.push(
        `${rel} is ${st.size} bytes but ${manifestName} says ${want.bytes}: it changed after it was recorded (appended, doubled or cut); its numbers may not be the recording's.`,
      );
      continue;
    }
    let got: string;
    try {
      got = await sha256File(abs, st.size);
    } catch (e) {
      notes.push(`${rel} could not be read to check its sha256 (${(e as Error).message}).`);
      continue;
    }
    if (got.toLowerCase() !== want.sha256.toLowerCase())
      notes.push(
        `${rel} has sha256 ${got.slice(0, 12)}… but ${manifestName} says ${want.sha256.slice(0, 12)}…: its content changed after it was recorded; its numbers may not be the recording's.`,
      );
  }
  for (const rel of present)
    if (rel !== "cassperf.json" && !(rel in listed)) notes.push(`${rel} is not listed in ${manifestName}: it was added after the recording.`);
  return notes;
}
