/**
 * RFC 4180 CSV writing, for partitionScan's file of every partition's count.
 *
 * RFC 4180 §2: records end with CRLF; a field containing a comma, a double quote, CR or LF is
 * enclosed in double quotes, and a double quote inside it is written twice. Other fields are
 * written as they are (a `:` or a space needs no quoting). A missing value (null/undefined) is an
 * empty field. Pure functions, no I/O.
 */

/** One field, quoted only when RFC 4180 requires it. @example csvField('a,"b"')  // '"a,""b"""' */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, CRLF-terminated. @example csvRecord(["k1", "x:y", 3])  // 'k1,x:y,3\r\n' */
export function csvRecord(values: readonly unknown[]): string {
  return values.map(csvField).join(",") + "\r\n";
}
