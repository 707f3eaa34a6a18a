/**
 * One node's parse (./log-node.ts) as a worker task whose kept events travel as columns
 * (./log-event-columns.ts) in transferred buffers, and the result rebuilt in the main thread:
 * {@link nodeResultFromColumns} of {@link parseNodeLogsColumns} deep-equals parseNodeLogs' own result.
 */
import { TRANSFER_LIST } from "../parse-cancellable";
import { decodeEvents, encodeEvents, eventColumnsTransfer, type EventColumns } from "./log-event-columns";
import { Event } from "../../parse/system-log";
import { parseNodeLogs, type NodeLogResult, type NodeLogTask, type NodeProgress } from "./log-node";

/** A node's result with its events as columns (`events` is empty until {@link nodeResultFromColumns}). */
export type NodeLogColumns = NodeLogResult & { columns?: EventColumns };

/**
 * parseNodeLogs, its events encoded as columns; the buffers to transfer are under {@link TRANSFER_LIST} (./parse-worker.ts posts them so).
 * @example const r = nodeResultFromColumns(await pool.run<NodeLogColumns>("parseNodeLogsColumns", [task]))
 */
export async function parseNodeLogsColumns(task: NodeLogTask, onProgress?: NodeProgress): Promise<NodeLogColumns> {
  const r = await parseNodeLogs(task, onProgress && throttled(onProgress));
  let columns: EventColumns;
  try {
    columns = encodeEvents(r.events);
  } catch {
    return r; // past what columns hold (65,535 key lists, 4 GiB of text): the objects go by structured clone
  }
  // `events` keeps its place among the keys (empty here); the objects travel as columns.
  const out: NodeLogColumns = { ...r, events: [], columns };
  Object.defineProperty(out, TRANSFER_LIST, { value: eventColumnsTransfer(columns), enumerable: false });
  return out;
}

/** The node's result as parseNodeLogs returned it: the events built again from their columns. */
export function nodeResultFromColumns(r: NodeLogColumns): NodeLogResult {
  const { columns, ...rest } = r;
  if (!columns) return rest;
  // The parser's events are instances of its Event class: rebuilt as such (a plain object elsewhere stays plain).
  rest.events = decodeEvents(columns, [Event]);
  return rest;
}

/** Progress posted at most every {@link PROGRESS_EVERY_MS} (and at each file's end): a message per 64 KiB block was ~750 per 48 MB node. */
function throttled(onProgress: NodeProgress): NodeProgress {
  let chars = 0;
  let last = 0;
  return (p) => {
    chars += p.chars;
    const now = Date.now();
    if (!p.fileDone && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    onProgress({ chars, fileDone: p.fileDone });
    chars = 0;
  };
}

/** The main thread shows progress every 100 ms at most (./log-events.ts): half that keeps its rate figure smooth. */
const PROGRESS_EVERY_MS = 50;
