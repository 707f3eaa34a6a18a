/**
 * Colour through one helper (src/present/color.ts) and terminal widths by string-width.
 * Expected values:
 * - when to colour: https://no-color.org (NO_COLOR present and non-empty disables), Node's
 *   FORCE_COLOR convention ("0"/"false" off, anything else on; it wins over NO_COLOR, as in
 *   Node's tty.getColorDepth), and no colour when the output is not a terminal;
 * - the escapes: ECMA-48 SGR codes (31 red foreground, 39 default foreground, 1 bold, 22 normal
 *   intensity);
 * - widths: Unicode's EastAsianWidth.txt — CJK ideographs, Hangul syllables and fullwidth forms
 *   are W/F (2 columns), halfwidth katakana H (1), emoji with emoji presentation W (2), a
 *   combining accent 0, the ellipsis "…" A (ambiguous, 1 column in a western terminal).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { colorEnabled, displayWidth, padEndColumns, paint, sliceToWidth, stripColor } from "../src/present/color";
import { renderTable, truncate } from "../src/present/terminal";

const TTY = { isTTY: true };
const PIPE = { isTTY: false };

test("colorEnabled: FORCE_COLOR, then NO_COLOR, then TERM=dumb, then whether the output is a terminal", () => {
  assert.equal(colorEnabled(TTY, {}), true);
  assert.equal(colorEnabled(PIPE, {}), false, "piped output: no escapes in files or `| less`");
  assert.equal(colorEnabled(TTY, { NO_COLOR: "1" }), false);
  assert.equal(colorEnabled(TTY, { NO_COLOR: "" }), true, "no-color.org: an empty NO_COLOR is ignored");
  assert.equal(colorEnabled(PIPE, { FORCE_COLOR: "1" }), true);
  assert.equal(colorEnabled(PIPE, { FORCE_COLOR: "" }), true, "Node: FORCE_COLOR set to the empty string forces colour");
  assert.equal(colorEnabled(TTY, { FORCE_COLOR: "0" }), false);
  assert.equal(colorEnabled(TTY, { FORCE_COLOR: "false" }), false);
  assert.equal(colorEnabled(PIPE, { FORCE_COLOR: "1", NO_COLOR: "1" }), true, "FORCE_COLOR wins, as in Node's own getColorDepth");
  assert.equal(colorEnabled(TTY, { TERM: "dumb" }), false);
});

test("paint: SGR escapes when on, the text untouched when off", () => {
  assert.equal(paint("red", "pauses", true), "\u001b[31mpauses\u001b[39m");
  assert.equal(paint("bold", "gcStats", true), "\u001b[1mgcStats\u001b[22m");
  assert.equal(paint("red", "pauses", false), "pauses");
  assert.equal(stripColor(paint(["bold", "yellow"], "warning", true)), "warning");
});

test("displayWidth: CJK and emoji take two columns, accents none, escapes none", () => {
  assert.equal(displayWidth("keyspace"), 8);
  assert.equal(displayWidth("日本語"), 6); // 3 CJK ideographs (W)
  assert.equal(displayWidth("키스페이스"), 10); // 5 Hangul syllables (W)
  assert.equal(displayWidth("ＡＢ"), 4); // 2 fullwidth Latin letters (F)
  assert.equal(displayWidth("ｱｲ"), 2); // 2 halfwidth katakana (H)
  assert.equal(displayWidth("👍"), 2); // U+1F44D, emoji presentation (W)
  assert.equal(displayWidth("👨‍👩‍👧"), 2); // a ZWJ family: one glyph
  assert.equal(displayWidth("e\u0301"), 1); // e + combining acute accent
  assert.equal(displayWidth(paint("red", "日本", true)), 4);
});

test("truncate / sliceToWidth / padEndColumns count columns and never split a wide character", () => {
  // 7 columns: 3 ideographs (6 columns) + "…" (1); a 4th ideograph would need 8.
  assert.equal(truncate("日本語のテーブル", 7), "日本語…");
  assert.equal(displayWidth(truncate("日本語のテーブル", 7)), 7);
  assert.equal(truncate("日本語", 6), "日本語", "fits exactly: not cut");
  assert.equal(sliceToWidth("日本語", 5), "日本", "the third ideograph would make 6 columns");
  assert.equal(sliceToWidth("👍👍", 3), "👍");
  assert.equal(padEndColumns("売上", 6), "売上  ", "2 ideographs = 4 columns, 2 spaces to 6");
});

test("renderTable: CJK and emoji cells keep every column aligned", () => {
  const rows = [
    { keyspace: "売上", table: "注文", p99_ms: 12 },
    { keyspace: "sales", table: "orders📦", p99_ms: 3 },
  ];
  const lines = renderTable(rows, ["keyspace", "table", "p99_ms"], 100);
  // By hand: keyspace column = max("keyspace" 8, "売上" 4, "sales" 5) = 8; table = max("table" 5,
  // "注文" 4, "orders📦" 6 + 2 = 8) = 8; p99_ms = 6 (numbers right-aligned) → 8 + 2 + 8 + 2 + 6 = 26.
  assert.equal(lines.length, 4);
  for (const l of lines) assert.equal(displayWidth(l), 26, JSON.stringify(l));
  assert.equal(lines[2], "売上      注文          12");
  assert.equal(lines[3], "sales     orders📦       3");
});
