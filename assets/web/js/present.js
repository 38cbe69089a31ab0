/* Present mode: one chart at a time, filling the window, with larger
 * type for a projector. Opened with the Present button, a chart's own
 * Present button or the P key; ← and → (Page Up, Page Down) move between
 * the charts, Home and End go to the first and last, Esc goes back to the
 * page. A modal <dialog>: the page behind is inert and focus returns to
 * where it was.
 */

import { S } from './state.js';
import { $, el } from './dom.js';
import { chartListeners, makeChart } from './charts.js';
import { metricLabel, prettyName } from './format.js';

var P = { index: 0, opener: null };

function dialog() { return $('present'); }

export function isPresenting() { return !!dialog() && dialog().open; }

function defs() { return (S.lib && S.lib.charts) || []; }

// The chart shown most in the results pane, to present first.
function mostVisibleChart() {
  var best = 0, bestArea = 0;
  var cards = document.querySelectorAll('#chart-grid .chart-card');
  cards.forEach(function (card, i) {
    var r = card.getBoundingClientRect();
    var h = Math.max(0, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0));
    var w = Math.max(0, Math.min(r.right, window.innerWidth) - Math.max(r.left, 0));
    if (h * w > bestArea) { bestArea = h * w; best = i; }
  });
  return best;
}

// Font and line scale of the presented chart: larger on wider screens.
function presentScale() {
  var w = window.innerWidth || 1024;
  return Math.max(1.3, Math.min(1.7, w / 950));
}

export function openPresent(index, opener) {
  var d = dialog();
  if (!d || !defs().length) return;
  P.opener = opener || document.activeElement;
  P.index = typeof index === 'number' ? index : mostVisibleChart();
  if (!d.open) d.showModal();
  document.body.classList.add('presenting');
  show(P.index);
  $('present-next').focus();
}

export function closePresent() {
  var d = dialog();
  if (d && d.open) d.close();
}

function onClosed() {
  destroyPresented();
  document.body.classList.remove('presenting');
  var back = P.opener && document.contains(P.opener) ? P.opener : $('present-open');
  P.opener = null;
  if (back && typeof back.focus === 'function') back.focus();
}

function destroyPresented() {
  if (S.presented) {
    try { S.presented.plot.destroy(); } catch (e) { /* ignore */ }
    S.presented = null;
  }
}

export function step(by) {
  var n = defs().length;
  if (!n || !isPresenting()) return;
  show(((P.index + by) % n + n) % n);
}

function goTo(i) {
  if (!isPresenting()) return;
  show(Math.max(0, Math.min(defs().length - 1, i)));
}

// Shows chart `i` (of the library's charts) in the dialog.
function show(i) {
  var list = defs();
  var def = list[i];
  if (!def) return;
  P.index = i;
  var n = list.length;
  var title = def.title || prettyName(def.id);
  var metricsLine = def.grades ? 'mean headcount of each grade' : (def.metrics || []).map(metricLabel).join(' · ');
  $('present-title').textContent = title + (def.unit ? ' (' + def.unit + ')' : '');
  $('present-count').textContent = (i + 1) + ' of ' + n;
  $('present-status').textContent = 'Chart ' + (i + 1) + ' of ' + n + ': ' + title;
  $('present-about').textContent = def.about || metricsLine;
  var prev = list[(i - 1 + n) % n], next = list[(i + 1) % n];
  $('present-prev').setAttribute('aria-label', 'Previous chart: ' + (prev.title || prettyName(prev.id)));
  $('present-next').setAttribute('aria-label', 'Next chart: ' + (next.title || prettyName(next.id)));
  dialog().dataset.chart = def.id;

  // The key of the lines (yours and the baseline) and the band, as above
  // the page's charts, without their ids.
  var key = $('present-key');
  key.textContent = '';
  var pageKey = $('results-key');
  if (pageKey && !pageKey.hidden) {
    var copy = pageKey.cloneNode(true);
    copy.removeAttribute('id');
    copy.querySelectorAll('[id]').forEach(function (e) { e.removeAttribute('id'); });
    while (copy.firstChild) key.appendChild(copy.firstChild);
  }
  key.hidden = !key.firstChild;

  var holder = $('present-chart');
  holder.setAttribute('aria-label', title + ': ' + metricsLine);
  destroyPresented();
  holder.textContent = '';
  var legend = $('present-legend');
  legend.textContent = '';
  if (!S.result) {
    holder.appendChild(el('p', { class: 'placeholder', text: 'Nothing to show yet: press Esc, then Run (or Compare with baseline), and come back with P.' }));
    return;
  }
  // Drawn at a first size, then fitted to the room the legend leaves.
  S.presented = makeChart(def, S.result, holder, legend, {
    width: Math.max(300, holder.clientWidth), height: 300, scale: presentScale(), sync: false
  });
  fit();
}

// Sizes the presented chart to its box.
export function fit() {
  if (!S.presented || !isPresenting()) return;
  var holder = $('present-chart');
  var w = holder.clientWidth, h = holder.clientHeight;
  if (w > 0 && h > 0 && (w !== S.presented.plot.width || h !== S.presented.plot.height)) {
    S.presented.plot.setSize({ width: w, height: Math.max(160, h) });
  }
}

function editable(t) {
  if (!t || !t.closest) return false;
  if (t.closest('textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  var input = t.closest('input');
  return !!input && ['range', 'checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(input.type) < 0;
}

function onKey(e) {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (isPresenting()) {
    var moves = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
    if (moves[e.key]) { e.preventDefault(); step(moves[e.key]); }
    else if (e.key === 'Home') { e.preventDefault(); goTo(0); }
    else if (e.key === 'End') { e.preventDefault(); goTo(defs().length - 1); }
    return;
  }
  if ((e.key === 'p' || e.key === 'P') && !editable(e.target) && S.lib) {
    e.preventDefault();
    openPresent(undefined, document.activeElement);
  }
}

export function wirePresent() {
  var d = dialog();
  $('present-open').addEventListener('click', function () { openPresent(undefined, this); });
  $('present-prev').addEventListener('click', function () { step(-1); });
  $('present-next').addEventListener('click', function () { step(1); });
  $('present-close').addEventListener('click', closePresent);
  d.addEventListener('close', onClosed);
  // Escape closes the dialog (its `cancel`); nothing else to do first.
  $('chart-grid').addEventListener('click', function (e) {
    var b = e.target.closest('[data-present]');
    if (b) openPresent(Number(b.getAttribute('data-present')), b);
  });
  document.addEventListener('keydown', onKey);
  window.addEventListener('resize', function () { window.requestAnimationFrame(fit); });
  if (window.ResizeObserver) new ResizeObserver(function () { window.requestAnimationFrame(fit); }).observe($('present-chart'));
  // A new run (or a cleared one) while presenting: draw it.
  chartListeners.push(function () { if (isPresenting()) show(P.index); });
}
