/**
 * Counts in words a user reads: "1 file", "2 files", "1,130 pauses" — never "1 files" or "file(s)".
 * One helper for every message, finding and title (no more "1 files has ...").
 */

/** Nouns whose plural is not noun + "s" (the ones cassperf's messages use). */
const IRREGULAR: Record<string, string> = {
  entry: "entries",
  query: "queries",
  "query pattern": "query patterns",
  directory: "directories",
  index: "indexes",
  status: "statuses",
  process: "processes",
  match: "matches",
  batch: "batches",
  flush: "flushes",
  "is": "are",
  "has": "have",
  "was": "were",
};

/**
 * The plural of a noun: the irregular table, "y" after a consonant -> "ies", s/x/ch/sh -> "es", else "s".
 * @example pluralOf("file") // "files"; pluralOf("entry") // "entries"; pluralOf("flush") // "flushes"
 */
export function pluralOf(noun: string): string {
  if (IRREGULAR[noun]) return IRREGULAR[noun];
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/**
 * `n` and the noun in the right number, the count with thousands separators.
 * @example plural(1, "file") // "1 file"; plural(1130, "pause") // "1,130 pauses"; plural(2, "entry") // "2 entries"
 * @example plural(3, "sstable", "SSTables") // "3 SSTables" (an explicit plural)
 */
export function plural(n: number, noun: string, pluralForm?: string): string {
  const count = Number.isFinite(n) ? thousands(n) : String(n);
  return `${count} ${n === 1 ? noun : (pluralForm ?? pluralOf(noun))}`;
}

/**
 * The noun (or verb) alone in the number `n` calls for, for sentences that put the count elsewhere.
 * @example `${n} ${inflect(n, "file")} ${inflect(n, "has")} no GC lines` // "1 file has", "2 files have"
 */
export function inflect(n: number, word: string, pluralForm?: string): string {
  return n === 1 ? word : (pluralForm ?? pluralOf(word));
}

/**
 * `n` with thousands separators, exactly as `n.toLocaleString("en-US")` writes it, but whole numbers skip ICU's number
 * formatter: its first use costs ~14 ms of a process's start (node 20), paid by every logs() call that counted anything.
 * Other numbers (fractions, -0, past 2^53) go to toLocaleString.
 * @example thousands(1130) // "1,130"
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  const grouped = digits.length > 3 ? digits.replace(/\B(?=(\d{3})+$)/g, ",") : digits;
  return n < 0 ? `-${grouped}` : grouped;
}
