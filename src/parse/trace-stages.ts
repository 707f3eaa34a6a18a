/**
 * THE activity -> stage rule table for Cassandra trace events (system_traces.events.activity).
 * It is a PARSE table (like the line rules of ../../parse/), not a findings table: each rule names
 * a stage and pulls numbers out of the text, it never raises a finding, so it keeps its own shape
 * rather than ../analyze/rule.ts Rule. Findings about traces are in ../analyze/trace/trace-rules.ts.
 *
 * Every string Cassandra writes with `Tracing.trace(...)` that matters for latency is matched here,
 * for the wording of 2.1, 3.x, 4.x and 5.0 (the versions changed the words, not the work):
 *   - 2.1: "Merging data from memtables and N sstables", "Read N live and N tombstoned cells",
 *     "Sending message to /127.0.0.2", "Message received from /127.0.0.1" (all seen for real on the
 *     3-node 2.1.0 dev lab);
 *   - 3.x: "Merged data from memtables and N sstables", "Read N live rows and N tombstone cells",
 *     "Sending READ message to /10.0.0.2", "READ message received from /10.0.0.1";
 *   - 4.x/5.0: "Sending READ_REQ message to /10.0.0.2:7000 message size 123 bytes",
 *     "READ_REQ message received from /10.0.0.1:7000", SAI index wording on 5.0.
 * Rules are tried in order; the first match wins. A string no rule knows gets stage "other" and is
 * counted by the helpers (never dropped). Matching is memoised per distinct activity string, so a
 * million events cost one regex pass per distinct wording.
 */

/** The fixed vocabulary of stages (plus "other" for wording no rule knows). */
export const STAGES = [
  "parse/prepare",
  "coordinator",
  "replica-read",
  "memtable",
  "sstable-bloom",
  "sstable-index",
  "key-cache",
  "sstable-read",
  "merge",
  "tombstones",
  "read-repair",
  "speculative-retry",
  "commitlog",
  "memtable-write",
  "hint",
  "message-send",
  "message-receive",
  "response",
  "other",
] as const;

/** One stage name. */
export type Stage = (typeof STAGES)[number];

/** Stages that are time on the wire or waiting for it (the "network" side of network vs local). */
export const NETWORK_STAGES: ReadonlySet<Stage> = new Set<Stage>(["message-send", "message-receive", "response"]);

/** What a rule pulls out of an activity string. */
export interface ActivityInfo {
  stage: Stage;
  /** The rule that matched (its name), or "unknown". */
  rule: string;
  /** SSTables merged or scanned, when the text states it. */
  sstables?: number;
  /**
   * One SSTable the read selected, by its id, when the text names it (Cassandra 3.x–5.0 names-query
   * path: "Merging data from sstable 5"; 4.0+ SSTableReadsListener: "Key cache hit for sstable 5, size = 0",
   * "Partition index found for sstable 5, size = 0"): a read that never states "merged from N
   * sstables" is counted by its distinct ids.
   */
  sstable?: string;
  /** Live rows (or live cells on 2.1) read, when stated. */
  liveRows?: number;
  /** Tombstone cells read, when stated. */
  tombstones?: number;
  /** Internode message size in bytes (4.0+ "message size N bytes"). */
  messageBytes?: number;
  /** The other node of a message or a read request (address without port). */
  peer?: string;
  /** The internode verb (3.x+: READ, MUTATION, READ_REQ, READ_RSP ...). */
  verb?: string;
}

/** A rule: a name, the pattern, the stage, and how to read numbers from the match. */
export interface StageRule {
  name: string;
  pattern: RegExp;
  stage: Stage;
  /** Versions whose wording this rule covers (documentation; tests check real strings of each). */
  versions: string;
  /** Numbers and peer from the match. */
  extract?: (m: RegExpExecArray) => Omit<ActivityInfo, "stage" | "rule">;
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
/** "/127.0.0.2:7000" or "127.0.0.2" -> "127.0.0.2" (IPv6 in brackets kept without them). */
export function peerAddress(s: string): string {
  let a = s.trim().replace(/^\//, "");
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (v6) return v6[1];
  if (/^[\d.]+:\d+$/.test(a)) a = a.replace(/:\d+$/, "");
  return a;
}
const PEER = String.raw`(/?\[?[0-9A-Fa-f.:]+\]?(?::\d+)?)`;

/**
 * THE rule table (a parse table: activity text -> stage and numbers; no findings). Order matters: specific before general.
 * Sources: Cassandra's `Tracing.trace(...)` calls in db/ReadCommand.java, SinglePartitionReadCommand.java,
 * db/columniterator, io/sstable/format/big/BigTableReader.java, service/StorageProxy.java,
 * service/reads/*, net/MessagingService / Tracing.onMessageSend (4.0+), and the 2.1 dev lab.
 */
export const STAGE_RULES: StageRule[] = [
  // --- parse / prepare (QueryProcessor) ---
  { name: "parsing", pattern: /^Parsing /, stage: "parse/prepare", versions: "2.1-5.0" },
  { name: "preparing", pattern: /^Preparing statement/, stage: "parse/prepare", versions: "2.1-5.0" },
  { name: "execute-cql", pattern: /^Execut(e|ing) CQL3 (prepared )?query/i, stage: "parse/prepare", versions: "cqlsh session row" },
  { name: "batch", pattern: /^(Executing|Execute) batch/i, stage: "parse/prepare", versions: "2.1-5.0" },

  // --- tombstones and live rows (must come before the generic "Read" rules) ---
  {
    name: "read-live-tombstones",
    // 2.1.0: "Read 0 live and 200 tombstoned cells"; 2.1.x later/2.2: "Read 0 live and 200 tombstone cells";
    // 3.0+: "Read 10 live rows and 200 tombstone cells" (+ " (see tombstone_warn_threshold)").
    pattern: /^Read (\d+) live(?: rows)? and (\d+) tombstone(?:d)? cells/,
    stage: "tombstones",
    versions: "2.1-5.0",
    extract: (m) => ({ liveRows: num(m[1]), tombstones: num(m[2]) }),
  },
  {
    name: "tombstone-overwhelming",
    pattern: /TombstoneOverwhelming|tombstone_failure_threshold|Scanned over \d+ tombstones/i,
    stage: "tombstones",
    versions: "2.1-5.0",
  },

  // --- merge ---
  {
    name: "merge-sstables",
    // 2.1/2.2: "Merging data from memtables and N sstables"; 3.0+: "Merged data from memtables and N sstables"
    pattern: /^Merg(?:ing|ed) data from memtables and (\d+) sstables/,
    stage: "merge",
    versions: "2.1-5.0",
    extract: (m) => ({ sstables: num(m[1]) }),
  },
  {
    name: "merge-sstable",
    pattern: /^Merging data from sstable ([\w-]+)/,
    stage: "merge",
    versions: "3.x (names queries; DSE)",
    extract: (m) => ({ sstable: m[1] }),
  },

  // --- memtable (read side) ---
  { name: "memtable-read", pattern: /^Merging memtable (tombstones|contents)/, stage: "memtable", versions: "2.1-3.x" },

  // --- sstable bloom / index / key cache / data ---
  { name: "bloom-skip", pattern: /^Bloom filter allows skipping sstable/, stage: "sstable-bloom", versions: "2.1-5.0" },
  { name: "bloom-false-positive", pattern: /bloom filter false positive/i, stage: "sstable-bloom", versions: "3.x-5.0" },
  { name: "index-skip", pattern: /^Partition index lookup allows skipping sstable/, stage: "sstable-index", versions: "3.x-5.0" },
  // 2.1-4.x: "Partition index with N entries found for sstable 5"; 4.0+/5.0 (SSTableReadsListener.SelectionReason): "Partition index found for sstable 5, size = 0"
  {
    name: "index-found",
    pattern: /^Partition index (?:with \d+ entries )?found for sstable ([\w-]+)/,
    stage: "sstable-index",
    versions: "2.1-5.0",
    extract: (m) => ({ sstable: m[1] }),
  },
  {
    name: "index-lookup",
    pattern: /^Partition index lookup|^(Reading|Seeking) (the )?(partition )?index|^Index (entry|summary)/i,
    stage: "sstable-index",
    versions: "2.1-5.0",
  },
  // "Key cache hit for sstable 5" (2.1-3.x), "Key cache hit for sstable 5, size = 0" (4.0+/5.0 SelectionReason.KEY_CACHE_HIT): the read selected it.
  { name: "key-cache-hit", pattern: /^Key cache hit for sstable ([\w-]+)/, stage: "key-cache", versions: "2.1-5.0", extract: (m) => ({ sstable: m[1] }) },
  { name: "key-cache", pattern: /^Key cache (hit|miss)/, stage: "key-cache", versions: "2.1-5.0" },
  {
    name: "row-cache",
    pattern: /^Row cache (hit|miss)|^Caching \d+ rows|^Ignoring row cache|^Fetching data but not populating cache/i,
    stage: "key-cache",
    versions: "2.1-5.0 (row cache)",
  },
  { name: "seek-data", pattern: /^Seeking to partition (beginning|indexed section) in data file/, stage: "sstable-read", versions: "2.1-3.x" },
  {
    name: "skipped-sstables",
    pattern: /^Skipped (\d+)\/(\d+) non-slice-intersecting sstables, included (\d+) due to tombstones/,
    stage: "sstable-read",
    versions: "2.1-5.0",
  },
  { name: "acquire-sstables", pattern: /^Acquiring sstable references/, stage: "sstable-read", versions: "2.1-5.0" },

  // --- replica-side read execution ---
  { name: "single-partition", pattern: /^Executing single-partition query on /, stage: "replica-read", versions: "2.1-5.0" },
  {
    name: "seq-scan",
    pattern: /^Executing seq scan across (\d+) sstables/,
    stage: "replica-read",
    versions: "2.1-2.2",
    extract: (m) => ({ sstables: num(m[1]) }),
  },
  { name: "scanned", pattern: /^Scanned \d+ rows and matched \d+/, stage: "replica-read", versions: "2.1-5.0" },
  {
    name: "index-read",
    pattern: /^Executing read on .* using index|^Index query|^Executing (read|query) .*index|SAI|^Query (plan|returned)/i,
    stage: "replica-read",
    versions: "4.x-5.0 (2i, SAI)",
  },
  { name: "local-read", pattern: /^(Executing|Starting) (local )?(read|range read)/i, stage: "replica-read", versions: "3.x-5.0" },

  // --- read repair and speculative retry (coordinator) ---
  {
    name: "full-data-read",
    // After a digest mismatch the coordinator reads full data (read repair): 2.1-3.x "Enqueuing full data read to /10.0.0.2";
    // 4.0+ AbstractReadRepair.sendReadCommand: "Enqueuing {full|transient|speculative full|speculative transient} data read to {replica}",
    // the replica printed as "Full(/127.0.0.2:7000,(-3074457345618258603,3074457345618258602])".
    pattern: new RegExp(String.raw`^Enqueuing (?:speculative )?(?:full|transient) data read to (?:(?:Full|Transient)\()?${PEER}`),
    stage: "read-repair",
    versions: "2.1-5.0",
    extract: (m) => ({ peer: peerAddress(m[1]) }),
  },
  { name: "digest-mismatch", pattern: /^Digest mismatch/i, stage: "read-repair", versions: "2.1-5.0" },
  {
    name: "read-repair",
    pattern: /read[- ]repair|^Repair (needed|mutation)|^Sending read-repair-mutation|^Blocking read repair|^Initiating read-repair|^Read-repair/i,
    stage: "read-repair",
    versions: "2.1-5.0",
  },
  { name: "speculate", pattern: /^Speculating read retry on |speculat/i, stage: "speculative-retry", versions: "2.1-5.0" },
  // 4.0+/5.0 replica-plan wording, seen on the cassperf 5.0.9 lab (service/reads/AbstractReadExecutor,
  // repair/AbstractReadRepair, StorageProxy range reads): "Enqueuing full data read to Full(/127.0.7.3:7000,(-44..,-38..])"
  // after a digest mismatch; "Enqueuing request to Full(/127.0.7.2:7000,(..])" for each range of a range read.
  {
    name: "enqueue-full-data-read",
    pattern: new RegExp(String.raw`^Enqueuing full data read to (?:Full|Transient)\(${PEER},`),
    stage: "read-repair",
    versions: "4.0-5.0",
    extract: (m) => ({ peer: peerAddress(m[1]) }),
  },
  {
    name: "enqueue-range-request",
    pattern: new RegExp(String.raw`^Enqueuing request to (?:Full|Transient)\(${PEER},`),
    stage: "coordinator",
    versions: "4.0-5.0 (range reads)",
    extract: (m) => ({ peer: peerAddress(m[1]) }),
  },
  // 5.0 SAI query plan (index/sai/plan/QueryController): "Index mean cardinalities are s_v:1. Scanning with s_v."
  { name: "sai-plan", pattern: /^Index mean cardinalities are /, stage: "replica-read", versions: "5.0 (SAI)" },

  // --- write path ---
  { name: "commitlog", pattern: /^Appending to commitlog/, stage: "commitlog", versions: "2.1-5.0" },
  { name: "memtable-write", pattern: /^Adding to .* memtable/, stage: "memtable-write", versions: "2.1-5.0" },

  // --- messages (2.1 plain; 3.x verb; 4.0+ verb and size) ---
  {
    name: "send-message",
    // 2.1: "Sending message to /127.0.0.2"; 3.x: "Sending READ message to /10.0.0.2";
    // 4.0+: "Sending READ_REQ message to /10.0.0.2:7000 message size 123 bytes"
    pattern: new RegExp(String.raw`^Sending (?:([A-Z_]+) )?message to ${PEER}(?:,? (?:message )?size(?: =)? (\d+) bytes)?`),
    stage: "message-send",
    versions: "2.1-5.0",
    extract: (m) => ({ ...(m[1] ? { verb: m[1] } : {}), peer: peerAddress(m[2]), ...(m[3] ? { messageBytes: num(m[3]) } : {}) }),
  },
  {
    name: "receive-message",
    // 2.1: "Message received from /127.0.0.1"; 3.x+: "READ message received from /10.0.0.1" / "READ_REQ message received from /10.0.0.1:7000"
    pattern: new RegExp(String.raw`^(?:([A-Z_]+) )?[Mm]essage received from ${PEER}`),
    stage: "message-receive",
    versions: "2.1-5.0",
    extract: (m) => ({ ...(m[1] ? { verb: m[1] } : {}), peer: peerAddress(m[2]) }),
  },
  {
    name: "enqueue-response",
    pattern: new RegExp(String.raw`^Enqueuing (?:\w+ )?response to ${PEER}`),
    stage: "response",
    versions: "2.1-5.0",
    extract: (m) => ({ peer: peerAddress(m[1]) }),
  },
  {
    name: "process-response",
    pattern: new RegExp(String.raw`^Processing response from ${PEER}`),
    stage: "response",
    versions: "2.1-5.0",
    extract: (m) => ({ peer: peerAddress(m[1]) }),
  },
  {
    name: "forward",
    pattern: new RegExp(String.raw`^(Enqueuing forwarded write to|Forwarding .* to) ${PEER}`),
    stage: "message-send",
    versions: "2.1-5.0 (cross-DC forward)",
    extract: (m) => ({ peer: peerAddress(m[2]) }),
  },
  { name: "request-complete", pattern: /^Request complete/, stage: "response", versions: "cqlsh session row" },
  {
    name: "paxos",
    pattern: /paxos|ballot|^(Preparing|Proposing|Committing|Promised|Accepted)\b.*|^CAS /i,
    stage: "coordinator",
    versions: "2.1-5.0 (lightweight transactions)",
  },

  { name: "hint", pattern: /hint/i, stage: "hint", versions: "2.1-5.0 (after the message rules: HINT_REQ sends are messages)" },

  // --- coordinator work ---
  {
    name: "reading-from",
    pattern: new RegExp(String.raw`^[Rr]eading (data|digest) from \[?${PEER}`),
    stage: "coordinator",
    versions: "2.1-5.0",
    extract: (m) => ({ peer: peerAddress(m[2]) }),
  },
  {
    name: "reading-locally",
    pattern: /^[Rr]eading (data|digest) locally|^Executing (single-partition|read) locally/,
    stage: "coordinator",
    versions: "2.1-5.0",
  },
  {
    name: "replicas",
    pattern:
      /^Determining replicas|^Computing ranges to query|^Submitt(ing|ed) \d+ ?(concurrent )?range requests|^Submitting range requests|^Creating write response handler|^Sending batchlog|^Timed out|^Read timeout|^Write timeout|^Unavailable|^Preparing to (read|write)/i,
    stage: "coordinator",
    versions: "2.1-5.0",
  },
];

const memo = new Map<string, ActivityInfo>();
const MEMO_MAX = 200_000;
/** Digits vary (sstable numbers, counts): memoise on the text, bounded so odd inputs can't grow it forever. */

/**
 * The stage of one activity string, and the numbers it states.
 * @example classifyActivity("Read 0 live and 200 tombstoned cells") // { stage: "tombstones", liveRows: 0, tombstones: 200, rule: "read-live-tombstones" }
 * @example classifyActivity("Sending READ_REQ message to /10.0.0.2:7000 message size 123 bytes").messageBytes // 123
 */
export function classifyActivity(activity: string): ActivityInfo {
  const hit = memo.get(activity);
  if (hit) return hit;
  let info: ActivityInfo | undefined;
  const text = activity.trim();
  for (const r of STAGE_RULES) {
    const m = r.pattern.exec(text);
    if (!m) continue;
    info = { stage: r.stage, rule: r.name, ...(r.extract ? r.extract(m) : {}) };
    break;
  }
  info ??= { stage: "other", rule: "unknown" };
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(activity, info);
  return info;
}
