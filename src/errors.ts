/**
 * CassperfError: an error meant for the person at the keyboard.
 *
 * Every failure the user can cause (a missing path, a file we cannot read, a helper asked of a
 * source that lacks what it needs) is thrown as a CassperfError whose message is one clear
 * sentence naming the path or argument and what was expected, and whose `hint` says how to fix it.
 * The kernel and the REPL print these without a stack; anything else is a bug and shows its stack.
 */
export class CassperfError extends Error {
  override name = "CassperfError";
  /** How to fix it, when we know: e.g. "pass the folder that holds nodes/<node>/". */
  readonly hint?: string;
  /** The source lacks the evidence a helper needs (not a wrong argument): helpers answer with an empty report that says why. */
  readonly noEvidence?: true;
  constructor(message: string, options: { hint?: string; cause?: unknown; noEvidence?: true } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.hint) this.hint = options.hint;
    if (options.noEvidence) this.noEvidence = true;
  }
}

/** True when the error is one of ours (print message and hint, no stack). */
export function isCassperfError(e: unknown): e is CassperfError {
  return e instanceof Error && e.name === "CassperfError";
}

/**
 * A value as an error message quotes it: JSON, except what JSON cannot say — NaN, ±Infinity,
 * undefined, functions, bigints and symbols — shown as themselves (JSON.stringify(NaN) is "null",
 * which told the user they passed null).
 * @example `got ${shownValue(NaN)}` // "got NaN"
 */
export function shownValue(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v === undefined || typeof v === "function" || typeof v === "bigint" || typeof v === "symbol") return typeof v === "function" ? "a function" : String(v);
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
