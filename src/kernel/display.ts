/**
 * `display(value)` for notebook cells: show a report, a chart or any value as an output right now,
 * not only as the cell's last value — e.g. one report per consistency level in a loop. The kernel's
 * prelude puts it in scope next to the helpers (the REPL prints values itself and does not need it).
 */
import type { TslabDisplayHook } from "./engine";
import { bundleMetadata, inspectValue, valueBundles } from "./outputs";

/**
 * Show `value` as cell output: a report as its summary/findings and chart, a chart as the chart,
 * anything else as text. Outside the kernel it prints the text rendering.
 * @example for (const level of ["ONE", "QUORUM"]) await display(await trace(query, [42], { consistency: level }))
 * @example await display(report.chart("heap"))
 */
export async function display(value: unknown): Promise<void> {
  const hook = (require("tslab/dist/jupyter") as TslabDisplayHook).lastWriteDisplayData;
  if (!hook) {
    console.log(inspectValue(value));
    return;
  }
  for (const data of await valueBundles(value)) hook({ data, metadata: bundleMetadata(data), transient: {} }, false);
}
