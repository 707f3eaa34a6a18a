/**
 * The Ink app: scrollback of inputs and outputs (Ink's <Static>), the input line with its own
 * editing keys, and a status line (progress bar and elapsed time while a helper runs).
 *
 * Ink is ESM-only, so this module never imports it: `createReplApp(ink)` receives the loaded
 * module (cli.ts does `await import("ink")`). Mutable session state lives in one ref and the
 * component re-renders on a tick, so key handlers never see stale state.
 *
 * Keys: Enter runs the input, or opens a new line when the code is incomplete (an empty line
 * forces it); Up/Down recall history (or move between lines of a multi-line input); Tab completes
 * from TypeScript; Ctrl-C cancels the running helper (first through its AbortSignal, then by
 * abandoning it), or clears the input; Ctrl-D on an empty input exits.
 */
import * as React from "react";
import type { CompletionInfo } from "tslab/dist/converter";
import { paint } from "../present/color";
import type { Report } from "../present/report";
import { truncate } from "../present/terminal";
import { runCommand, commandNames, type CommandContext } from "./commands";
import type { EvalResult } from "./engine";
import type { History } from "./history";
import { dim, isReport, red, renderDiagnostics, renderError, renderValue } from "./render";
import { withRunContext, type Progress } from "../run-context";

/** Ink (ESM-only: a real dynamic import, kept as such by TypeScript with module Node16). */
const loadInk = () => import("ink");
type InkModule = Awaited<ReturnType<typeof loadInk>>;

/** What the app needs from the evaluator (ReplEngine in production). */
export interface Evaluator {
  warm(): Promise<void>;
  /** Warm once the user pauses (the engine evaluates transpile-only until then); warm() when absent. */
  warmWhenIdle?(): Promise<void>;
  /** The indent for the next line when `code` is incomplete; undefined when it is complete. */
  continuation(code: string): string | undefined;
  complete(code: string, position: number): Promise<CompletionInfo>;
  execute(code: string): Promise<EvalResult>;
  interrupt(): void;
}

export interface ReplAppProps {
  engine: Evaluator;
  history: History;
  /** One line: the current source (for :source and the banner). */
  describeSource(): string;
  /** Lines printed once at the top. */
  banner?: string[];
  /** Work done right after the prompt first shows (opening the source); its lines are printed. */
  startup?: () => Promise<string[]>;
  /** Columns to fit. Default: the terminal's, else 100. */
  width?: number;
  /** ANSI colours in rendered output. Default true. */
  color?: boolean;
  /** How long a cancelled helper gets to stop on its signal before it is abandoned. Default 1500 ms. */
  cancelGraceMs?: number;
  /** Environment for terminal capabilities (inline images). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called after Ctrl-D / :exit, once Ink has exited. */
  onExit?: () => void;
  /**
   * Receives the function that prints an error raised outside any line (a user's timer callback
   * throwing, a promise nobody awaited): cli.ts hands it to process' uncaughtException and
   * unhandledRejection handlers, so such an error is printed, not fatal.
   */
  registerLateErrors?: (printLate: (label: string, e: unknown) => void) => void;
}

/** Rows per :table page. */
const PAGE_ROWS = 20;

/** The prompt, and the prefix of continuation lines (same width). */
export const PROMPT = "cassperf> ";
export const CONTINUATION = "       … ";

interface Busy {
  started: number;
  ac: AbortController;
  progress?: Progress;
  cancelled: boolean;
}

interface State {
  log: { id: number; text: string }[];
  buffer: string;
  cursor: number;
  /** Index into history while browsing it (history.length = the draft). */
  histPos: number;
  draft: string;
  busy?: Busy;
  completions: string[];
  /** Keys typed or pasted while something ran; fed in when it ends. */
  pending: string;
  message?: string;
  warming: boolean;
  /** Settles when the startup work (opening the source) is done: lines wait for it. */
  started?: Promise<void>;
  cmd: CommandContext;
}

/** Build the app component around a loaded Ink module. */
export function createReplApp(inkModule: unknown): (props: ReplAppProps) => React.ReactElement {
  const { Box, Text, Static, useInput, useApp, useStdout } = inkModule as InkModule;

  return function ReplApp(props: ReplAppProps): React.ReactElement {
    const { exit } = useApp();
    const { stdout, write: writeAbove } = useStdout();
    const width = Math.max(40, (props.width ?? stdout?.columns ?? 100) - 1);
    const color = props.color ?? true;
    const [, setTick] = React.useState(0);
    const redraw = React.useCallback(() => setTick((t) => t + 1), []);
    const ref = React.useRef<State | null>(null);
    if (!ref.current) {
      ref.current = {
        log: props.banner?.length ? [{ id: 0, text: props.banner.join("\n") }] : [],
        buffer: "",
        cursor: 0,
        histPos: props.history.entries.length,
        draft: "",
        completions: [],
        pending: "",
        warming: true,
        cmd: { describeSource: props.describeSource, render: { width, color, pageRows: PAGE_ROWS } },
      };
    }
    const s = ref.current;
    s.cmd.render.width = width;
    s.cmd.writeRaw = writeAbove;
    if (props.env) s.cmd.env = props.env;

    const print = (text: string) => {
      s.log = [...s.log, { id: s.log.length, text }];
    };
    /** Print an error and keep it for :trace. */
    const printError = (e: unknown) => {
      s.cmd.lastError = e;
      print(renderError(e, { color }).join("\n"));
    };

    React.useEffect(() => {
      props.registerLateErrors?.((label, e) => {
        s.cmd.lastError = e;
        print(
          [red(`✗ ${label} (raised outside the running line, e.g. by a timer callback; the REPL goes on):`, color), ...renderError(e, { color })].join("\n"),
        );
        redraw();
      });
    }, []);

    // Once the prompt is on screen: open the source (startup), then build the TypeScript program.
    React.useEffect(() => {
      const started = props.startup
        ? props.startup().then(
            (lines) => {
              if (lines.length) print(lines.join("\n"));
              redraw();
            },
            (e) => {
              printError(e);
              redraw();
            },
          )
        : Promise.resolve();
      s.started = started;
      started
        .then(() => (props.engine.warmWhenIdle ? props.engine.warmWhenIdle() : props.engine.warm()))
        .then(
          () => {
            s.warming = false;
            redraw();
          },
          (e) => {
            s.warming = false;
            printError(e);
            redraw();
          },
        );
    }, []);

    // Tick the elapsed time while something runs.
    React.useEffect(() => {
      if (!s.busy) return;
      const t = setInterval(redraw, 100);
      return () => clearInterval(t);
    }, [!!s.busy]);

    const leave = () => {
      exit();
      props.onExit?.();
    };

    const setBuffer = (text: string, cursor = text.length) => {
      s.buffer = text;
      s.cursor = Math.max(0, Math.min(cursor, text.length));
    };

    const echo = (code: string) =>
      code
        .split("\n")
        .map((l, i) => paint("green", i ? CONTINUATION : PROMPT, color) + l)
        .join("\n");

    const evaluate = async (code: string) => {
      const ac = new AbortController();
      const busy: Busy = { started: Date.now(), ac, cancelled: false };
      s.busy = busy;
      redraw();
      let lastDraw = 0;
      const onProgress = (p: Progress) => {
        busy.progress = p;
        const now = Date.now();
        if (now - lastDraw > 100) {
          lastDraw = now;
          redraw();
        }
      };
      let r: EvalResult;
      try {
        await s.started;
        r = await withRunContext({ signal: ac.signal, onProgress }, () => props.engine.execute(code));
      } catch (e) {
        r = { ok: false, error: e };
      }
      const elapsed = ((Date.now() - busy.started) / 1000).toFixed(1);
      const o = s.cmd.render;
      if (r.stoppedBySigint) {
        s.cmd.lastError = r.error;
        print(red(`✗ interrupted after ${elapsed} s: Ctrl-C stopped the running code`, color));
      } else if (r.interrupted) {
        print(
          red(
            `✗ cancelled after ${elapsed} s: the helper did not stop on its signal, so it was abandoned (it may still finish in the background; its result is dropped)`,
            color,
          ),
        );
      } else if (r.diagnostics) {
        print(renderDiagnostics(r.diagnostics, { color }).join("\n"));
      } else if (!r.ok) {
        if (busy.cancelled) {
          s.cmd.lastError = r.error;
          print(red(`✗ cancelled after ${elapsed} s`, color));
        } else printError(r.error);
      } else if (r.value) {
        const v = r.value.v;
        if (isReport(v)) {
          s.cmd.lastReport = v as Report<string>;
          s.cmd.pager = undefined;
        }
        try {
          print(renderValue(v, o).join("\n"));
        } catch (e) {
          printError(e);
        }
      }
      s.busy = undefined;
      redraw();
      feedPending();
    };

    /** Typed text, where a newline is Enter (a paste of several lines runs them in turn). */
    const feed = (text: string) => {
      for (let i = 0; i < text.length; i++) {
        if (s.busy) {
          s.pending += text.slice(i);
          return;
        }
        const ch = text[i] === "\t" ? "  " : text[i];
        if (ch === "\r" || ch === "\n") {
          if (ch === "\r" && text[i + 1] === "\n") i++;
          void submit();
        } else {
          // A closing bracket typed on an indented, otherwise empty line moves back one level.
          const lineStart = s.buffer.lastIndexOf("\n", s.cursor - 1) + 1;
          const before = s.buffer.slice(lineStart, s.cursor);
          if ("}])".includes(ch) && lineStart > 0 && /^ {2,}$/.test(before))
            setBuffer(s.buffer.slice(0, s.cursor - 2) + s.buffer.slice(s.cursor), s.cursor - 2);
          setBuffer(s.buffer.slice(0, s.cursor) + ch + s.buffer.slice(s.cursor), s.cursor + ch.length);
        }
      }
    };
    const feedPending = () => {
      if (!s.pending || s.busy) return;
      const p = s.pending;
      s.pending = "";
      feed(p);
      redraw();
    };

    const submit = async () => {
      const code = s.buffer;
      const trimmed = code.trim();
      const indent = !trimmed.startsWith(":") && trimmed !== "" && s.cursor === code.length ? props.engine.continuation(code) : undefined;
      if (indent !== undefined) {
        setBuffer(code + "\n" + indent);
        redraw();
        return;
      }
      print(echo(code));
      setBuffer("");
      s.histPos = props.history.entries.length + (trimmed ? 1 : 0);
      s.draft = "";
      if (!trimmed) {
        redraw();
        return;
      }
      props.history.add(code.replace(/\n\s*$/, ""));
      s.histPos = props.history.entries.length;
      if (trimmed.startsWith(":")) {
        const busy: Busy = { started: Date.now(), ac: new AbortController(), cancelled: false };
        s.busy = busy;
        redraw();
        try {
          const lines = await runCommand(trimmed, s.cmd);
          if (lines.length) print(lines.join("\n"));
        } catch (e) {
          printError(e);
        }
        s.busy = undefined;
        redraw();
        if (s.cmd.exit) leave();
        else feedPending();
        return;
      }
      await evaluate(code);
    };

    const cancel = () => {
      const busy = s.busy;
      if (!busy) return;
      if (busy.cancelled) {
        // Second Ctrl-C: do not wait for the signal.
        props.engine.interrupt();
        return;
      }
      busy.cancelled = true;
      busy.ac.abort();
      redraw();
      setTimeout(() => {
        if (s.busy === busy) props.engine.interrupt();
      }, props.cancelGraceMs ?? 1500);
    };

    const completeAtCursor = async () => {
      const code = s.buffer;
      const pos = s.cursor;
      if (code.trimStart().startsWith(":") && !code.includes(" ")) {
        const typed = code.trim().slice(1);
        const names = commandNames().filter((n) => n.startsWith(typed));
        if (names.length === 1) setBuffer(":" + names[0] + " ");
        else s.completions = names.map((n) => ":" + n);
        redraw();
        return;
      }
      let info: CompletionInfo;
      try {
        info = await props.engine.complete(code, pos);
      } catch {
        return;
      }
      if (s.buffer !== code || s.cursor !== pos) return; // typed on meanwhile
      const typed = code.slice(info.start, pos);
      const names = info.candidates;
      if (!names.length) {
        s.message = "no completions";
      } else if (names.length === 1) {
        setBuffer(code.slice(0, info.start) + names[0] + code.slice(pos), info.start + names[0].length);
      } else {
        const common = commonPrefix(names);
        if (common.length > typed.length) setBuffer(code.slice(0, info.start) + common + code.slice(pos), info.start + common.length);
        s.completions = names;
      }
      redraw();
    };

    useInput((input, key) => {
      s.message = undefined;
      if (key.ctrl && input === "c") {
        if (s.busy) cancel();
        else if (s.buffer) {
          print(echo(s.buffer) + "^C");
          setBuffer("");
          s.completions = [];
        } else s.message = "(Ctrl-D exits)";
        redraw();
        return;
      }
      if (key.ctrl && input === "d") {
        if (!s.busy && s.buffer === "") leave();
        return;
      }
      if (s.busy) {
        if (input && !key.ctrl && !key.meta) s.pending += key.return ? "\r" : input;
        return;
      }
      s.completions = key.tab ? s.completions : [];
      const b = s.buffer;
      const c = s.cursor;
      if (key.return) {
        feed("\r");
        redraw();
        return;
      }
      if (key.tab) {
        void completeAtCursor();
        return;
      }
      const lineStart = b.lastIndexOf("\n", c - 1) + 1;
      if (key.upArrow || key.downArrow) {
        const multi = b.includes("\n");
        const col = c - lineStart;
        if (multi && key.upArrow && lineStart > 0) {
          const prevStart = b.lastIndexOf("\n", lineStart - 2) + 1;
          s.cursor = Math.min(prevStart + col, lineStart - 1);
        } else if (multi && key.downArrow && b.indexOf("\n", c) >= 0) {
          const nextStart = b.indexOf("\n", c) + 1;
          const nextEnd = b.indexOf("\n", nextStart) < 0 ? b.length : b.indexOf("\n", nextStart);
          s.cursor = Math.min(nextStart + col, nextEnd);
        } else {
          const entries = props.history.entries;
          if (s.histPos === entries.length) s.draft = b;
          const pos = key.upArrow ? Math.max(0, s.histPos - 1) : Math.min(entries.length, s.histPos + 1);
          s.histPos = pos;
          setBuffer(pos === entries.length ? s.draft : entries[pos]);
        }
      } else if (key.leftArrow) s.cursor = Math.max(0, c - 1);
      else if (key.rightArrow) s.cursor = Math.min(b.length, c + 1);
      else if (key.backspace || key.delete) {
        if (c > 0) setBuffer(b.slice(0, c - 1) + b.slice(c), c - 1);
      } else if (key.ctrl && input === "a") s.cursor = lineStart;
      else if (key.ctrl && input === "e") s.cursor = b.indexOf("\n", c) < 0 ? b.length : b.indexOf("\n", c);
      else if (key.ctrl && input === "u") setBuffer(b.slice(c), 0);
      else if (key.ctrl && input === "k") setBuffer(b.slice(0, c), c);
      else if (input && !key.ctrl && !key.meta && !key.escape) {
        // A terminal may deliver typed text and the Tab after it in one chunk: complete after inserting.
        const tabAtEnd = input.length > 1 && input.endsWith("\t") && !input.slice(0, -1).includes("\t");
        feed(tabAtEnd ? input.slice(0, -1) : input);
        if (tabAtEnd && !s.busy) void completeAtCursor();
      }
      redraw();
    });

    // ---- view
    const status = statusLine(s, width, color);
    return (
      <Box flexDirection="column">
        <Static items={s.log}>{(item) => <Text key={item.id}>{item.text}</Text>}</Static>
        {s.busy ? null : <InputView Box={Box} Text={Text} buffer={s.buffer} cursor={s.cursor} />}
        {s.completions.length ? <Text dimColor>{truncate(s.completions.slice(0, 40).join("  "), width * 3)}</Text> : null}
        {status ? <Text>{status}</Text> : null}
        {s.message ? <Text dimColor>{s.message}</Text> : null}
      </Box>
    );
  };
}

function InputView(p: { Box: InkModule["Box"]; Text: InkModule["Text"]; buffer: string; cursor: number }): React.ReactElement {
  const { Box, Text } = p;
  const lines = p.buffer.split("\n");
  let offset = 0;
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => {
        const start = offset;
        offset += line.length + 1;
        const prefix = <Text color="green">{i ? CONTINUATION : PROMPT}</Text>;
        if (p.cursor < start || p.cursor > start + line.length) {
          return (
            <Text key={i}>
              {prefix}
              {line}
            </Text>
          );
        }
        const col = p.cursor - start;
        return (
          <Text key={i}>
            {prefix}
            {line.slice(0, col)}
            <Text inverse>{line[col] ?? " "}</Text>
            {line.slice(col + 1)}
          </Text>
        );
      })}
    </Box>
  );
}

/** "running… 3.4 s", with a progress bar when the helper reports progress. */
function statusLine(s: State, width: number, color: boolean): string | undefined {
  if (!s.busy) return s.warming ? dim("(loading TypeScript…)", color) : undefined;
  const secs = ((Date.now() - s.busy.started) / 1000).toFixed(1);
  const p = s.busy.progress;
  const tail = s.busy.cancelled ? "cancelling… (Ctrl-C again abandons it)" : "Ctrl-C cancels";
  if (!p) return `${spinner()} ${s.warming ? "loading TypeScript, then running…" : "running…"} ${secs} s  ${dim(tail, color)}`;
  const label = p.label ? ` ${p.label}` : "";
  if (p.total && p.total > 0) {
    const frac = Math.max(0, Math.min(1, p.done / p.total));
    const barWidth = Math.max(10, Math.min(40, width - 50));
    const filled = Math.round(frac * barWidth);
    const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
    return `${paint("cyan", bar, color)} ${(frac * 100).toFixed(0)}% ${p.done.toLocaleString("en-US")}/${p.total.toLocaleString("en-US")}${label}  ${secs} s  ${dim(tail, color)}`;
  }
  return `${spinner()} ${p.done.toLocaleString("en-US")}${label}  ${secs} s  ${dim(tail, color)}`;
}

const SPIN = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
function spinner(): string {
  return SPIN[Math.floor(Date.now() / 100) % SPIN.length];
}

function commonPrefix(names: string[]): string {
  let p = names[0] ?? "";
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}
