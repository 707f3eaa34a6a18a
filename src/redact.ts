/**
 * Redaction: the one place that decides what of a connection's settings or a command line may be
 * shown or written. Everything that displays a live source (util.inspect, toJSON, the REPL, a
 * notebook cell value), a nodetool error, or a recording's notes goes through here, so a password
 * typed into connect() never lands in a .ipynb, a terminal scrollback or cassperf.json.
 *
 * Redacted (the value becomes {@link REDACTED}, the flag or key stays so the reader sees one was given):
 *  - nodetool's `-pw X`, `-pw=X`, `--password X`, `--password=X` (a `-pwf FILE` password FILE path is kept);
 *  - cqlsh's `-p X` (only on a cqlsh command line: nodetool's `-p` is the JMX port);
 *  - `password: X`, `password=X`, `"password": "X"` (also passwd, pwd, passphrase, secret, token);
 *  - `PlainTextAuthProvider(user, X)` / `PlainTextAuthProvider('user', 'X')`;
 *  - URLs with `user:X@host`;
 *  - PEM private key blocks;
 *  - in objects: the values of keys named password, passwd, pwd, pass, passphrase, secret, token,
 *    key, pfx (TLS key material), and every string by the text rules above.
 */

/** What a redacted value shows as. */
export const REDACTED = "<redacted>";

/** A value following one of these command-line flags is a password. */
const PASSWORD_FLAGS = /(^|[\s'"])(-pw|--password|--pass|--passwd)(=|\s+)("[^"]*"|'[^']*'|\S+)/g;

/** cqlsh's password flag (`cqlsh -u cassandra -p cassandra host`); nodetool's `-p` is the JMX port. */
const CQLSH_PASSWORD = /(^|\s)(-p|--password)(=|\s+)("[^"]*"|'[^']*'|\S+)/g;

/** `password: x`, `password=x`, `"password": "x"`, `'password': 'x'` (key words as in config files and JSON). */
const PASSWORD_KEYS = /(["']?\b(?:password|passwd|pwd|passphrase|secret|token)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}&)]+)/gi;

/** `new PlainTextAuthProvider(user, pass)`: the second argument. */
const AUTH_PROVIDER = /(PlainTextAuthProvider\s*\(\s*("[^"]*"|'[^']*'|[^,)]*)\s*,\s*)("[^"]*"|'[^']*'|[^)]*?)(\s*\))/g;

/** `scheme://user:pass@host`. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\s/@]+)(@)/gi;

/** A PEM private key block. */
const PEM_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;

/** `replacement` in the quotes `original` had, so redacted JSON or shell text keeps its shape. */
function quoted(original: string, replacement: string): string {
  const q = original[0];
  return (q === '"' || q === "'") && original.endsWith(q) && original.length > 1 ? `${q}${replacement}${q}` : replacement;
}

/** Redact passwords from a command line, an error message or any other text. */
export function redactText(text: string): string {
  if (typeof text !== "string" || text === "") return text;
  let out = text
    .replace(PEM_KEY, `-----BEGIN $1PRIVATE KEY----- ${REDACTED} -----END $1PRIVATE KEY-----`)
    .replace(PASSWORD_FLAGS, (_m, pre: string, flag: string, sep: string, value: string) => `${pre}${flag}${sep}${quoted(value, REDACTED)}`)
    .replace(AUTH_PROVIDER, (_m, head: string, _user: string, pass: string, tail: string) => `${head}${quoted(pass, REDACTED)}${tail}`)
    .replace(URL_USERINFO, `$1${REDACTED}$3`)
    .replace(PASSWORD_KEYS, (_m, key: string, value: string) => `${key}${quoted(value, REDACTED)}`);
  if (/\bcqlsh\b/.test(out))
    out = out.replace(CQLSH_PASSWORD, (_m, pre: string, flag: string, sep: string, value: string) => `${pre}${flag}${sep}${quoted(value, REDACTED)}`);
  return out;
}

/** Keys whose values are secrets wherever they appear in settings. */
const SECRET_KEY = /^(password|passwd|pwd|pass|passphrase|secret|token|key|pfx)$/i;

/**
 * A copy of `value` fit to show: secret keys' values replaced, strings redacted, functions shown
 * as `[function name]`, buffers as their length. Cycles are cut.
 */
export function redactValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as ArrayBufferView).byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, seen);
  return out;
}

/**
 * Give `target` a redacted util.inspect and toJSON, as non-enumerable properties (so object spread
 * and structured clone — bench's worker threads — still copy the real settings, and never these).
 */
export function hideSecrets<T extends object>(target: T, shown: () => unknown = () => redactValue({ ...target })): T {
  const inspect = Symbol.for("nodejs.util.inspect.custom");
  Object.defineProperty(target, inspect, {
    value: (_depth: number, options: object, inspectFn?: (v: unknown, o: object) => string) => {
      const util = require("node:util") as typeof import("node:util");
      return (inspectFn ?? util.inspect)(shown(), options);
    },
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(target, "toJSON", { value: () => shown(), enumerable: false, configurable: true });
  return target;
}
