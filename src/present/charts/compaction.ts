/**
 * compactionAdvice's Vega-Lite chart: the evidence behind the advice, one facet per metric
 * (SSTables per read p99, tombstones per read, write share), one bar per table.
 */
import { distinctLabels } from "../chart";

/** One bar of the evidence chart. */
export interface CompactionChartRow {
  table: string;
  metric: string;
  value: number;
}

/** The evidence chart; `tables` sizes its height. */
export function compactionEvidenceChart(chartRows: CompactionChartRow[], tables: number): Record<string, unknown> {
  // Tables cut in the middle ("cassperf_demo.user_events" and "cassperf_demo.user_profiles" stay apart).
  const names = distinctLabels(
    chartRows.map((r) => r.table),
    28,
  );
  return {
    title: "Compaction evidence per table",
    data: { values: chartRows.map((r) => ({ ...r, table: names.get(r.table) })) },
    facet: { column: { field: "metric", type: "nominal", title: null } },
    spec: {
      width: 200,
      height: Math.max(60, 16 * tables),
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "table", type: "nominal", title: null, axis: { labelLimit: 300 } },
        x: { field: "value", type: "quantitative", title: null },
      },
    },
    resolve: { scale: { x: "independent" } },
  };
}
