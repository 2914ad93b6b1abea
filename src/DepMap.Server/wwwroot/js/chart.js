// Small time-series charts (uPlot) of a series endpoint's points: calls and errors, and p99.
import uPlot from "../vendor/uplot/uPlot.esm.js";
import { el } from "./format.js";

export function seriesCharts(series, width) {
  const times = series.points.map((p) => Date.parse(p.time) / 1000);
  const calls = series.points.map((p) => p.calls);
  const errors = series.points.map((p) => p.errors);
  const p99 = series.points.map((p) => p.p99Ms);
  const box = el("div", { class: "chart", role: "img", "aria-label": `Calls, errors and p99 per ${series.step} over the window` });
  const common = { width, height: 110, legend: { show: true }, cursor: { drag: { x: false, y: false } } };
  new uPlot({ ...common, series: [{}, { label: "calls", stroke: "#1f77b4" }, { label: "errors", stroke: "#d62728" }], axes: [{}, { size: 40 }] }, [times, calls, errors], box);
  new uPlot({ ...common, series: [{}, { label: "p99 ms", stroke: "#7b3fa0", spanGaps: true }], axes: [{}, { size: 40 }] }, [times, p99], box);
  return box;
}
