/* The page's state, shared by every module, and what tests read
 * (`window.bureausim`).
 */

export const S = {
  lib: null,
  scenario: null,
  defs: {},            // lever key -> definition
  values: {},          // lever key -> current value
  rows: {},            // lever key -> {row, input, valueEl, group}
  metricInfo: {},      // metric name -> {label, unit, about}
  controller: null,    // AbortController of the running stream
  result: null,
  charts: [],          // {def, plot, specs, card, legend, ...}
  presented: null,     // the chart of present mode, when open
  redrawQueued: false,
  runToken: 0
};

window.bureausim = { result: null, library: null };
