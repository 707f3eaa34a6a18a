/**
 * The activity -> stage rule table against real wording of each Cassandra version:
 *  - 2.1: every activity string of the real lab sessions in test/fixtures/trace/lab21 (Cassandra
 *    2.1.0), each with the stage it must get;
 *  - 3.x / 4.x / 5.0: the format strings of the Tracing.trace(...) calls in the Cassandra source
 *    (db/ReadCommand.java, SinglePartitionReadCommand.java, io/sstable/format/big/BigTableReader.java,
 *    service/reads/*, Tracing.onMessageSend 4.0+, index/sai 5.0) filled the way Cassandra fills them.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { classifyActivity, STAGE_RULES, STAGES, type Stage } from "../src/parse/trace-stages";
import { parseEventsJsonl } from "../src/parse/trace-rows";

const FIXTURE = path.join(__dirname, "fixtures/trace/lab21/traces/events.jsonl");

/** [activity, stage, numbers it states] */
type Case = [string, Stage, Partial<Record<"sstables" | "liveRows" | "tombstones" | "messageBytes" | "peer" | "verb", number | string>>?];

// Cassandra 2.1.0, seen on the lab (the fixture and the dev lab's wording runs).
const V21: Case[] = [
  ["Parsing SELECT * FROM cassperf_trace.fixture WHERE uid = 2", "parse/prepare"],
  ["Preparing statement", "parse/prepare"],
  ["Executing single-partition query on fixture", "replica-read"],
  ["Acquiring sstable references", "sstable-read"],
  ["Merging memtable tombstones", "memtable"],
  ["Key cache hit for sstable 1", "key-cache"],
  ["Seeking to partition beginning in data file", "sstable-read"],
  ["Partition index with 4 entries found for sstable 3", "sstable-index"],
  ["Skipped 0/6 non-slice-intersecting sstables, included 0 due to tombstones", "sstable-read"],
  ["Merging data from memtables and 6 sstables", "merge", { sstables: 6 }],
  ["Read 10 live and 2400 tombstoned cells", "tombstones", { liveRows: 10, tombstones: 2400 }],
  ["Read 200 live and 0 tombstoned cells", "tombstones", { liveRows: 200, tombstones: 0 }],
  ["Sending message to /127.0.0.2", "message-send", { peer: "127.0.0.2" }],
  ["Message received from /127.0.0.1", "message-receive", { peer: "127.0.0.1" }],
  ["Enqueuing response to /127.0.0.3", "response", { peer: "127.0.0.3" }],
  ["Processing response from /127.0.0.1", "response", { peer: "127.0.0.1" }],
  ["Determining replicas for mutation", "coordinator"],
  ["Appending to commitlog", "commitlog"],
  ["Adding to fixture memtable", "memtable-write"],
  ["Computing ranges to query", "coordinator"],
  ["Submitting range requests on 49 ranges with a concurrency of 1 (0.0 rows per range expected)", "coordinator"],
  ["Submitted 1 concurrent range requests covering 49 ranges", "coordinator"],
  ["Executing seq scan across 6 sstables for [min(-9223372036854775808), min(-9223372036854775808)]", "replica-read", { sstables: 6 }],
  ["Scanned 5 rows and matched 5", "replica-read"],
  // 2.1.x after 2.1.0 and 2.2 say "tombstone" not "tombstoned"
  ["Read 1 live and 1500 tombstone cells", "tombstones", { liveRows: 1, tombstones: 1500 }],
  ["Read-repair DC_LOCAL", "read-repair"],
  ["reading data from /127.0.0.2", "coordinator", { peer: "127.0.0.2" }],
  ["reading digest from /127.0.0.3", "coordinator", { peer: "127.0.0.3" }],
];

// Cassandra 3.0 / 3.11 (format strings from the source, filled).
const V3: Case[] = [
  ["Merged data from memtables and 3 sstables", "merge", { sstables: 3 }],
  ["Read 10 live rows and 2400 tombstone cells", "tombstones", { liveRows: 10, tombstones: 2400 }],
  ["Read 0 live rows and 1500 tombstone cells (see tombstone_warn_threshold)", "tombstones", { liveRows: 0, tombstones: 1500 }],
  ["Bloom filter allows skipping sstable 12", "sstable-bloom"],
  ["Partition index lookup allows skipping sstable 7", "sstable-index"],
  ["Partition index with 32 entries found for sstable 5", "sstable-index"],
  ["Partition index found for sstable 5, size = 4", "sstable-index"],
  ["Key cache hit for sstable 5", "key-cache"],
  ["Row cache miss", "key-cache"],
  ["Speculating read retry on /10.0.0.3", "speculative-retry"],
  [
    "Digest mismatch: org.apache.cassandra.service.DigestMismatchException: Mismatch for key DecoratedKey(-4069959284402364209, 00000001) (d41d8cd98f00b204e9800998ecf8427e vs 7ef2b1de8d09d1d0d1f1f5bdbd0e5f48)",
    "read-repair",
  ],
  ["Sending read-repair-mutation to /10.0.0.3", "read-repair"],
  ["READ message received from /10.0.0.1", "message-receive", { peer: "10.0.0.1", verb: "READ" }],
  ["REQUEST_RESPONSE message received from /10.0.0.2", "message-receive", { peer: "10.0.0.2", verb: "REQUEST_RESPONSE" }],
  ["Sending READ message to /10.0.0.2", "message-send", { peer: "10.0.0.2", verb: "READ" }],
  ["Sending REQUEST_RESPONSE message to /10.0.0.1", "message-send", { peer: "10.0.0.1", verb: "REQUEST_RESPONSE" }],
  ["Sending MUTATION message to /10.0.0.3", "message-send", { peer: "10.0.0.3", verb: "MUTATION" }],
  ["Executing single-partition query on users", "replica-read"],
  ["Skipped 0/3 non-slice-intersecting sstables, included 0 due to tombstones", "sstable-read"],
];

// Cassandra 4.0 / 4.1 (Tracing.onMessageSend adds the message size; addresses carry the port).
const V4: Case[] = [
  ["Sending READ_REQ message to /10.0.0.2:7000 message size 142 bytes", "message-send", { peer: "10.0.0.2", verb: "READ_REQ", messageBytes: 142 }],
  ["Sending READ_RSP message to /10.0.0.1:7000 message size 2301 bytes", "message-send", { peer: "10.0.0.1", verb: "READ_RSP", messageBytes: 2301 }],
  ["Sending MUTATION_REQ message to /10.0.0.3:7000 message size 96 bytes", "message-send", { messageBytes: 96 }],
  ["READ_REQ message received from /10.0.0.1:7000", "message-receive", { peer: "10.0.0.1", verb: "READ_REQ" }],
  ["READ_RSP message received from /10.0.0.2:7000", "message-receive", { peer: "10.0.0.2" }],
  ["Digest mismatch: Mismatch for key DecoratedKey(-4069959284402364209, 00000001)", "read-repair"],
  ["Sending read-repair-mutation to /10.0.0.3:7000", "read-repair"],
  ["Enqueuing response to /10.0.0.1:7000", "response", { peer: "10.0.0.1" }],
  ["Processing response from /10.0.0.2:7000", "response", { peer: "10.0.0.2" }],
  ["reading digest from /10.0.0.3:7000", "coordinator", { peer: "10.0.0.3" }],
  ["Merged data from memtables and 2 sstables", "merge", { sstables: 2 }],
  ["Read 1 live rows and 0 tombstone cells", "tombstones", { liveRows: 1, tombstones: 0 }],
  ["Executing read on ks.tbl using index tbl_idx", "replica-read"],
  ["Sending READ_REQ message to /10.0.0.2:7000, size = 142 bytes", "message-send", { messageBytes: 142 }],
];

// Cassandra 5.0 (SAI; the rest as 4.x).
const V5: Case[] = [
  [
    "Index query accessed memtable indexes, 2 SSTable indexes, and 3 segments, post-filtered 10 rows in 4 partitions, and took 512 microseconds.",
    "replica-read",
  ],
  ["Index query accessed memtable indexes and took 35 microseconds.", "replica-read"],
  ["Bloom filter allows skipping sstable 3g1k_0b2x_2hq8w2c4ycp6ezzxmx", "sstable-bloom"],
  ["Sending READ_REQ message to /[2001:db8::2]:7000 message size 142 bytes", "message-send", { peer: "2001:db8::2", messageBytes: 142 }],
];

for (const [version, cases] of [
  ["2.1", V21],
  ["3.x", V3],
  ["4.x", V4],
  ["5.0", V5],
] as const) {
  test(`trace stages: ${version} wording maps to the intended stage and numbers`, () => {
    for (const [activity, stage, nums] of cases) {
      const info = classifyActivity(activity);
      assert.equal(info.stage, stage, `"${activity}" -> ${info.stage} (rule ${info.rule}), expected ${stage}`);
      for (const [k, v] of Object.entries(nums ?? {})) assert.equal((info as any)[k], v, `"${activity}": ${k}`);
    }
  });
}

test("trace stages: every activity in the real 2.1 lab sessions has a stage (none is 'other')", () => {
  const { rows, skipped } = parseEventsJsonl(fs.readFileSync(FIXTURE, "utf8"));
  assert.equal(skipped.count, 0);
  assert.ok(rows.length > 100);
  const other = rows.filter((r) => classifyActivity(r.activity).stage === "other").map((r) => r.activity);
  assert.deepEqual(other, []);
  // And the fixture's tombstone reads state their counts.
  const tomb = rows.map((r) => classifyActivity(r.activity)).filter((i) => i.stage === "tombstones");
  assert.ok(tomb.some((i) => i.tombstones === 2400 && i.liveRows === 10));
});

test("trace stages: unknown wording is 'other', never dropped; the table only uses the fixed vocabulary", () => {
  assert.equal(classifyActivity("Frobnicating the flux capacitor").stage, "other");
  assert.equal(classifyActivity("").stage, "other");
  for (const r of STAGE_RULES) assert.ok((STAGES as readonly string[]).includes(r.stage), r.name);
  // Rule names are unique (findings and TASK_START_RULES refer to them).
  assert.equal(new Set(STAGE_RULES.map((r) => r.name)).size, STAGE_RULES.length);
});
