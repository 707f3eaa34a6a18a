/**
 * ISO-8601 text to epoch ms with ONE rule for a missing zone: UTC. JavaScript's Date.parse reads
 * a zone-less date-time ("2024-01-15T10:00:00") in the process's local zone, so the same option
 * gave another instant under TZ=Asia/Tokyo than under TZ=UTC; cassperf's log and trace times are
 * UTC, and so are the times users pass to filter them (`from`, `to`, `since`, `until`).
 */

/**
 * Epoch ms of an ISO-8601 date or date-time (space or "T"; zone optional: none means UTC), or of a
 * Date; NaN when it does not read.
 * @example parseUtc("2024-01-15 10:00:00") === Date.UTC(2024, 0, 15, 10)
 */
export function parseUtc(v: string | Date): number {
  if (v instanceof Date) return v.getTime();
  const s = String(v).trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (!m) return NaN;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ? +m[7].slice(0, 3).padEnd(3, "0") : 0);
  if (+m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +(m[4] ?? 0) > 23 || +(m[5] ?? 0) > 59) return NaN;
  const z = m[8];
  if (!z || /^z$/i.test(z)) return t;
  const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(z)!;
  return t - (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +(o[3] ?? 0)) * 60_000;
}
