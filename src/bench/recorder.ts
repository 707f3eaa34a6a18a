/**
 * The bench recorder: HdrHistograms per operation type, for the whole run and for the current
 * one-second interval, and the `intervals` rows they produce.
 *
 * An operation is recorded in the interval in which it completed (as cassandra-stress does).
 * Seconds in which nothing completed still get rows (ops 0): a stall shows as a gap, not as a
 * missing row. Response time is measured from the intended start in fixed-rate mode
 * (coordinated-omission corrected) and from the actual start in closed-loop mode; in fixed-rate
 * mode the service time (actual start to completion) is recorded separately.
 */
import { encodeHistogram, newHistogram, percentiles, recordMs, rowPercentiles, type Histogram } from "./hdr";
import type { BenchInterval } from "./run";

interface OpState {
  name: string;
  response: Histogram;
  service?: Histogram;
  count: number;
  errors: number;
  iResponse: Histogram;
  iService?: Histogram;
  iCount: number;
  iErrors: number;
}

export class Recorder {
  readonly ops: OpState[];
  readonly intervals: BenchInterval[] = [];
  readonly errorsByType: Record<string, number> = {};
  /** Measurement start (performance.now() ms); set by start(). */
  t0 = 0;
  private second = 0;
  /** Completion time of the last recorded operation (ms, performance.now clock). */
  lastEnd = 0;
  completed = 0;
  /** With keepIntervalHistograms: each non-empty interval's encoded histograms (threads merge them). */
  readonly intervalHistograms: { second: number; op: string; response: string; service?: string }[] = [];

  constructor(
    opNames: string[],
    fixedRate: boolean,
    readonly keepIntervalHistograms = false,
  ) {
    this.ops = opNames.map((name) => ({
      name,
      response: newHistogram(),
      count: 0,
      errors: 0,
      iResponse: newHistogram(),
      iCount: 0,
      iErrors: 0,
      ...(fixedRate ? { service: newHistogram(), iService: newHistogram() } : {}),
    }));
  }

  start(t0: number): void {
    this.t0 = t0;
    this.second = 0;
  }

  /**
   * Record one operation. `from` is the intended start (fixed rate) or the actual start (closed loop);
   * `start` the actual start; `end` the completion; `error` the error's name when it failed.
   * Failed operations are recorded in the latency histograms too (as cassandra-stress does) and counted.
   */
  record(op: number, from: number, start: number, end: number, error?: string): void {
    const sec = Math.floor((end - this.t0) / 1000);
    if (sec > this.second) this.flushUntil(sec);
    const s = this.ops[op];
    const response = end - from;
    recordMs(s.response, response);
    recordMs(s.iResponse, response);
    if (s.service) {
      recordMs(s.service, end - start);
      recordMs(s.iService!, end - start);
    }
    s.count++;
    s.iCount++;
    this.completed++;
    if (error) {
      s.errors++;
      s.iErrors++;
      this.errorsByType[error] = (this.errorsByType[error] ?? 0) + 1;
    }
    if (end > this.lastEnd) this.lastEnd = end;
  }

  /** Emit rows for every whole second before `sec`. */
  private flushUntil(sec: number): void {
    while (this.second < sec) {
      this.emit(this.second, 1);
      this.second++;
    }
  }

  private emit(second: number, lengthS: number): void {
    for (const s of this.ops) {
      this.intervals.push({
        second,
        op: s.name,
        ops: s.iCount,
        ops_per_s: lengthS > 0 ? Math.round((s.iCount / lengthS) * 10) / 10 : 0,
        errors: s.iErrors,
        ...rowPercentiles(s.iResponse),
        service_p99_ms: s.iService ? percentiles(s.iService).p99_ms : null,
      });
      if (this.keepIntervalHistograms && s.iCount > 0) {
        this.intervalHistograms.push({
          second,
          op: s.name,
          response: encodeHistogram(s.iResponse),
          ...(s.iService ? { service: encodeHistogram(s.iService) } : {}),
        });
      }
      s.iResponse.reset();
      s.iService?.reset();
      s.iCount = 0;
      s.iErrors = 0;
    }
  }

  /** Close the run at `end` (ms): flush whole seconds and the last partial second (rated by its real length). */
  finish(end: number): void {
    const elapsed = Math.max(0, end - this.t0);
    const sec = Math.floor(elapsed / 1000);
    this.flushUntil(sec);
    const rest = elapsed / 1000 - sec;
    if (this.ops.some((s) => s.iCount > 0) || (rest > 0.05 && sec === this.second)) this.emit(this.second, Math.max(rest, 0.001));
  }
}
