/* bureausim serve: the classroom and workshop page, as ES modules loaded
 * by index.html (no build step). This module wires the controls and boots
 * the page; see docs/serve.md for the API it talks to. Charts are drawn
 * with the vendored uPlot, loaded before as a classic script (the global
 * `uPlot`).
 */

import { S } from './state.js';
import { $, showError } from './dom.js';
import { loadLibrary } from './library.js';
import { renderOwnReforms, resetToScenario, selectScenario } from './scenario.js';
import { abortRun, startRun, stopRun } from './run.js';
import { resizeCharts, showTableYear, tableYear } from './charts.js';
import { wirePresent } from './present.js';
import { downloadToml } from './downloads.js';

export function wire() {
  $('scenario').addEventListener('change', function (e) { selectScenario(e.target.value); });
  $('run').addEventListener('click', function () { startRun(false); });
  $('compare').addEventListener('click', function () { startRun(true); });
  $('stop').addEventListener('click', stopRun);
  $('reset').addEventListener('click', function () {
    abortRun();
    resetToScenario();
  });
  $('download-toml').addEventListener('click', downloadToml);
  $('own-reforms').addEventListener('change', renderOwnReforms);
  $('baseline').addEventListener('change', renderOwnReforms);
  $('download-csv').addEventListener('click', function (e) {
    if (this.getAttribute('aria-disabled') === 'true') e.preventDefault();
  });
  $('years').addEventListener('input', function () {
    var y = Number(this.value);
    // A reform begins after the row of its year: the last is the year before the run's last.
    if (Number.isInteger(y) && y >= 1) $('reform-year').max = String(y - 1);
    // Before a run, the table's year follows the run's length.
    if (!S.result) showTableYear(tableYear());
  });
  $('expand-all').addEventListener('click', function () {
    document.querySelectorAll('#levers details.group').forEach(function (d) { d.open = true; });
  });
  $('collapse-all').addEventListener('click', function () {
    document.querySelectorAll('#levers details.group').forEach(function (d) { d.open = false; });
  });
  wirePresent();
  $('about-link').addEventListener('click', function () { $('about').open = true; });
  $('controls').addEventListener('submit', function (e) { e.preventDefault(); startRun(false); });

  var t = null;
  function onResize() {
    if (t) window.cancelAnimationFrame(t);
    t = window.requestAnimationFrame(resizeCharts);
  }
  window.addEventListener('resize', onResize);
  if (window.ResizeObserver) new ResizeObserver(onResize).observe($('chart-grid'));
  if (window.location.hash === '#about') $('about').open = true;
}

window.addEventListener('error', function (e) {
  // Show, never crash silently.
  if (!e || !e.message || /ResizeObserver/.test(e.message)) return;
  showError('Page error: ' + e.message);
});

export function boot() {
  // The modules have loaded and run: boot.js's watchdog stands down.
  document.body.dataset.started = '1';
  wire();
  loadLibrary();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);

else boot();
