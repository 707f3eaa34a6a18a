/**
 * The conventions every `cassperf` command shares, so `cassperf`, `lab`, `kernel`, `run`, `report`
 * and the REPL read their arguments the same way:
 * - one parser, node:util `parseArgs` (strict): `--out=x` and `--out x` mean the same;
 * - `-h` / `--help` prints the command's usage on stdout and exits 0 (EXIT_OK);
 * - a flag the command does not know, a missing value or a stray argument is refused with ONE line
 *   naming it, then the usage, on stderr, and exit 2 (EXIT_USAGE, the shell convention for misuse);
 * - a failure while running (a missing file, a dead cluster) is exit 1 (EXIT_FAILED);
 * - findings at or above `--fail-on` (report, compare) are exit 3 (EXIT_FINDINGS), Ctrl-C 130.
 * The whole rule is {@link EXIT_CODES_HELP}; {@link exitCodeOf} maps an error to its code, for every command.
 *
 * A parser throws a UsageError; the dispatcher (src/cli.ts) prints it with `refusal()` and exits 2.
 * Thrown anywhere else (the kernel, a test) it is still a CassperfError whose hint is the usage.
 */
import { parseArgs } from "node:util";
import { CassperfError, isCassperfError } from "./errors";

/** Every command ran and did what was asked. */
export const EXIT_OK = 0;
/** The command ran and failed (a missing file, a failed cell, a cluster that did not answer). */
export const EXIT_FAILED = 1;
/** The command line itself was wrong (unknown flag, missing value, stray argument): nothing ran. */
export const EXIT_USAGE = 2;
/**
 * The command ran to its end and found what `--fail-on` gates on (report, compare): its own code, so a
 * pipeline tells "the gate tripped" from "the report could not be built" (1) and from a typo (2).
 */
export const EXIT_FINDINGS = 3;
/** Stopped by Ctrl-C (128 + SIGINT, the shell's convention). */
export const EXIT_INTERRUPTED = 130;

/** The exit codes of every cassperf command, as `--help` and the README state them. */
export const EXIT_CODES_HELP = `exit codes (every cassperf command):
  0    ok (report/compare: and no finding at or above --fail-on)
  1    failed: bad input or a failure while running (a source or file that cannot be opened, an output that
       exists without --force or cannot be written, an empty window, a cluster that did not answer, a failed cell)
  2    usage: the command line is wrong (unknown option, missing value, a value outside its choices, wrong arguments)
  3    findings at or above --fail-on (report, compare): the run succeeded and the gate tripped
  130  interrupted (Ctrl-C)`;

/**
 * The exit code of an error that ended a command: EXIT_USAGE for a wrong command line (a UsageError),
 * EXIT_FAILED for anything else (a CassperfError on bad input or while running, or a bug).
 * @example process.exitCode = exitCodeOf(e)
 */
export function exitCodeOf(e: unknown): number {
  return isUsageError(e) ? EXIT_USAGE : EXIT_FAILED;
}

/** A wrong command line: `command` names it (e.g. "cassperf lab start"), the hint is its usage. */
export class UsageError extends CassperfError {
  readonly command: string;
  readonly usage: string;
  constructor(command: string, message: string, usage: string) {
    super(message, { hint: usage });
    this.command = command;
    this.usage = usage;
  }
}

/** True for a UsageError (also across module copies: it carries `usage` and `command`). */
export function isUsageError(e: unknown): e is UsageError {
  return isCassperfError(e) && typeof (e as UsageError).usage === "string" && typeof (e as UsageError).command === "string";
}

/** What the user sees for a wrong command line: one line naming the problem, then the usage. */
export function refusal(e: UsageError): string {
  return `${e.command}: ${e.message}\n${e.usage}`;
}

/** Print a usage (stdout: it was asked for) and return EXIT_OK, for `--help`. */
export function printUsage(usage: string): number {
  console.log(usage);
  return EXIT_OK;
}

/** One option of a command, as node:util parseArgs takes it. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/** The parsed value of one option: a string or boolean, an array of them with `multiple`. */
type ValueOf<O extends OptionSpec> = O["type"] extends "boolean"
  ? O["multiple"] extends true
    ? boolean[]
    : boolean
  : O["multiple"] extends true
    ? string[]
    : string;

/** The parsed options of a command, each absent when not given. */
export type ParsedOptions<T extends Record<string, OptionSpec>> = { [K in keyof T]?: ValueOf<T[K]> };

/** What a command accepts: its name as the user typed it, its usage, its options and positionals. */
export interface CommandSpec<T extends Record<string, OptionSpec>> {
  /** As the user typed it, for the refusal line: "cassperf lab start". */
  command: string;
  usage: string;
  /** `help` (-h/--help) is added to every command. */
  options: T;
  /** How many positional arguments are allowed (default none). */
  positionals?: { min?: number; max?: number; name?: string };
}

/** The parsed command line, or `help` when -h/--help was given (print the usage, exit 0). */
export type ParsedCommand<T extends Record<string, OptionSpec>> = { help: true } | { help: false; values: ParsedOptions<T>; positionals: string[] };

/** The option a parseArgs message quotes: "Unknown option '--bogus'" → "--bogus". */
function quotedOption(message: string): string {
  const m = /'(-[^' ]+|[^' ]+)/.exec(message);
  return m ? m[1] : "an option";
}

/** parseArgs' error, said in one line. */
function usageMessage(e: Error & { code?: string }): string {
  const name = quotedOption(e.message);
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${name}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(name)}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(e.message)) return `${name} takes no value`;
      if (/ambiguous/.test(e.message)) return `${name} needs a value (for one that starts with "-", write ${name}=-value)`;
      return `${name} needs a value`;
    default:
      return e.message.split("\n")[0];
  }
}

/**
 * Parse a command's arguments with node:util parseArgs (strict): `--x=y` ≡ `--x y`, `-h`/`--help`
 * anywhere gives `{ help: true }`, anything unknown throws a UsageError naming it.
 * @example
 * const p = parseCommand({ command: "cassperf lab stop", usage: USAGE, options: { dir: { type: "string" } } }, ["--dir=lab"]);
 * if (p.help) return printUsage(USAGE);
 * p.values.dir; // "lab"
 */
export function parseCommand<T extends Record<string, OptionSpec>>(spec: CommandSpec<T>, args: string[]): ParsedCommand<T> {
  const max = spec.positionals?.max ?? 0;
  const min = spec.positionals?.min ?? 0;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...spec.options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: true });
  } catch (e) {
    // A -h/--help next to an unknown flag still asks for help.
    if (args.includes("--help") || args.includes("-h")) return { help: true };
    throw new UsageError(spec.command, usageMessage(e as Error & { code?: string }), spec.usage);
  }
  if (parsed.values.help === true) return { help: true };
  const { help: _help, ...values } = parsed.values;
  const what = spec.positionals?.name ?? "argument";
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals[max];
    throw new UsageError(
      spec.command,
      max === 0 ? `unexpected argument ${JSON.stringify(extra)}` : `one ${what} at a time; unexpected ${JSON.stringify(extra)}`,
      spec.usage,
    );
  }
  if (parsed.positionals.length < min) throw new UsageError(spec.command, `missing the ${what}`, spec.usage);
  return { help: false, values: values as ParsedOptions<T>, positionals: parsed.positionals };
}

/**
 * Split a command line where the command's own flags end and pass-through arguments begin (the
 * first argument that is neither a known-shaped flag nor a flag's value, or after `--`), for
 * commands that hand the rest to another tool: `cassperf lab nodetool --dir D node1 status -r`.
 * A string flag written `--dir D` takes D with it; `--dir=D` is one argument.
 */
export function splitAtPassThrough(args: string[], options: Record<string, OptionSpec>): { own: string[]; rest: string[] } {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return { own: args.slice(0, i), rest: args.slice(i + 1) };
    if (!a.startsWith("-")) break;
    if (takesValue.has(a)) i++;
  }
  return { own: args.slice(0, i), rest: args.slice(i) };
}

/** A flag's value as a finite number, or a UsageError naming the flag. */
export function numberOption(spec: { command: string; usage: string }, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(spec.command, `--${name} ${JSON.stringify(value)} is not a number`, spec.usage);
  return n;
}
