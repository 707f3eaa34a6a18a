/**
 * RULE_GATE (src/parse/log-rules.ts), the cheap first check classify() runs on every message: it
 * must never reject a message some line or fact rule matches, and classify() with the gate must give
 * what the rule tables give without it. Input: every system.log/debug.log text committed under
 * test/fixtures (their PROVENANCE.md files name the origin of each), every line both as a raw
 * message and, for the lines the file's layout reads, as the event's message with its source file.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { FACT_RULES, LINE_RULES, RULE_GATE, gated, literalStart, type LogEvent } from "../src/parse/log-rules";
import { classify } from "../src/parse/system-log";
import { detectLayout } from "../src/parse/log-layout";

const FIXTURES = path.join(__dirname, "fixtures");

/** Every plain-text system/debug log under test/fixtures. */
function logFiles(dir = FIXTURES): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...logFiles(p));
    else if (/(system|debug)[^/]*\.log$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Each message to classify: the raw line (no source file), and for a line the layout reads, its message and %F. */
function messages(): { message: string; sourceFile: string | undefined; level: string }[] {
  const out: { message: string; sourceFile: string | undefined; level: string }[] = [];
  for (const f of logFiles()) {
    const text = fs.readFileSync(f, "utf8");
    const layout = detectLayout(text.slice(0, 1 << 20));
    for (const line of text.split(/\r?\n/)) {
      out.push({ message: line, sourceFile: undefined, level: "INFO" });
      const m = layout?.regex.exec(line);
      if (!m || !layout) continue;
      const g = layout.groups;
      out.push({ message: g.msg ? m[g.msg] : "", sourceFile: g.file ? m[g.file] : undefined, level: g.level ? m[g.level] : "" });
    }
  }
  return out;
}

/**
 * The rule tables run WITHOUT the gate, as classify() ran before it (first line rule whose sources,
 * contains and regex all pass; an ERROR line names its exception; then the first fact rule): the
 * expected values of the test come from here, not from the code under test.
 */
function reference(ev: Record<string, unknown>, message: string, sourceFile: string | undefined): void {
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  for (const rule of LINE_RULES) {
    if (rule.sources && sourceFile && !rule.sources.includes(sourceFile)) continue;
    if (rule.contains && !message.includes(rule.contains)) continue;
    const m = rule.re.exec(message);
    if (!m) continue;
    ev.kind = rule.kind;
    ev.rule = rule.id;
    if (rule.fields) Object.assign(ev, strip(rule.fields(m) as Record<string, unknown>));
    return;
  }
  if (ev.level === "ERROR") {
    ev.kind = "exception";
    ev.rule = "exception.error-level";
    const ex = /([a-z][\w$]*(?:\.[\w$]+)*\.[\w$]*(?:Exception|Error))\b/.exec(message);
    if (ex) ev.exception = ex[1];
  }
  for (const f of FACT_RULES) {
    if (!message.includes(f.contains)) continue;
    const m = f.re.exec(message);
    if (m) {
      Object.assign(ev, strip(f.fields(m) as Record<string, unknown>));
      if (!ev.rule) ev.rule = f.id;
      return;
    }
  }
}

const all = messages();

test("literalStart reads the text a regex makes every match start with, and nothing when it cannot be sure", () => {
  // Expected values by hand from each regex's meaning.
  assert.equal(literalStart(/^Enqueuing flush of ([\w.-]+)/), "Enqueuing flush of ");
  assert.equal(literalStart(/^Detected partition '?(.*?)'? in/), "Detected partition "); // the quote is optional
  assert.equal(literalStart(/^Compacting(?: \(([\w-]+)\))? \[/), "Compacting");
  assert.equal(literalStart(/^Completed flushing \(x\)/), "Completed flushing (x)");
  assert.equal(literalStart(/^ab+c/), "ab"); // b at least once: "ab" is sure, c may follow more b's
  assert.equal(literalStart(/^abc{0,2}d/), "ab"); // c may be absent
  assert.equal(literalStart(/^a?bc/), undefined); // a is optional, and the sure text stops there
  assert.equal(literalStart(/^Read|Write/), undefined); // "Write" may match anywhere
  assert.equal(literalStart(/^(?:Read|Write) x/), undefined);
  assert.equal(literalStart(/^Announcing shutdown/i), undefined); // case-insensitive: not a literal
  assert.equal(literalStart(/state jump to DRAINED/), undefined); // not anchored
  assert.equal(literalStart(/^\d+ operations/), undefined);
});

test("RULE_GATE never rejects a fixture message that a gated line or fact rule matches (every line both ways)", () => {
  let rejected = 0;
  let matchedByGated = 0;
  for (const { message } of all) {
    const pass = RULE_GATE.test(message);
    if (!pass) rejected++;
    for (const r of [...LINE_RULES, ...FACT_RULES].filter(gated)) {
      // A rule matches when its contains text and its regex both do (sources aside: the gate ignores them).
      if (!(message.includes(r.contains) && r.re.test(message))) continue;
      matchedByGated++;
      assert.ok(pass, `RULE_GATE rejects "${message.slice(0, 200)}", which rule ${r.id} matches`);
    }
  }
  // Not vacuous: the fixtures hold both messages the rules match and messages the gate turns away.
  assert.ok(matchedByGated > 1000, `gated rules matched ${matchedByGated} fixture messages`);
  assert.ok(rejected > all.length / 2, `the gate rejected ${rejected} of ${all.length} messages`);
});

test("RULE_GATE passes every example message the line rules' own `what` texts quote that their regex matches", () => {
  // The examples are the table's (LINE_RULES[].what, in backticks): they cover rules no fixture line reaches.
  for (const r of LINE_RULES.filter(gated)) {
    let checked = 0;
    for (const [, example] of r.what.matchAll(/`([^`]+)`/g)) {
      const message = example.replace(/^\S+\.java:\d+ - /, "");
      if (!(message.includes(r.contains) && r.re.test(message))) continue;
      checked++;
      assert.ok(RULE_GATE.test(message), `RULE_GATE rejects ${r.id}'s example "${message}"`);
    }
    // Every gated rule quotes at least one whole message its regex matches, so the gate is checked for each.
    assert.ok(checked >= 1, `${r.id}: no example in its what text that its regex matches`);
  }
});

test("classify() with the gate gives every fixture message the kind, rule and fields the rule tables give without it", () => {
  const kinds = new Set<string>();
  for (const { message, sourceFile, level } of all) {
    const mk = () => ({ node: "n", ts: null, level, thread: null, source: null, message, file: "f", line: 1, kind: "other", rule: "" });
    const expected: Record<string, unknown> = mk();
    reference(expected, message, sourceFile);
    const actual = mk() as LogEvent;
    classify(actual, message, sourceFile);
    assert.deepEqual({ ...actual }, expected, `${sourceFile ?? "(no %F)"}: ${message.slice(0, 200)}`);
    kinds.add(actual.kind);
  }
  // The fixtures reach the rule kinds that matter to logs()' findings (so the comparison covers them).
  for (const k of ["gc-pause", "statuslogger-pool", "flush", "compaction", "dropped-messages", "exception"])
    assert.ok(kinds.has(k), `a fixture message is ${k}`);
});
