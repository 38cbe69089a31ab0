/* The legend table under each chart: the hovered year, else the latest.
 */

import { S } from './state.js';
import { el } from './dom.js';
import { fixed, fmtValue, isNum } from './format.js';

// A legend table under each chart: hover shows that year, otherwise the latest.
export function buildLegend(chart, result) {
  var box = chart.legendBox;
  if (!box) return;
  box.textContent = '';
  var armNames = result.arms.map(function (a) { return a.name; });
  var yoursIdx = armNames.indexOf('yours');
  if (yoursIdx < 0) yoursIdx = 0;
  var armOrder = [yoursIdx].concat(armNames.map(function (_, i) { return i; }).filter(function (i) { return i !== yoursIdx; }));
  var yearCell = el('th', { scope: 'col', class: 'lg-year', text: '' });
  var headRow = el('tr', {}, [yearCell]);
  armOrder.forEach(function (ai) {
    headRow.appendChild(el('th', { scope: 'col', text: armNames[ai] }));
  });
  var withDiff = armNames.length > 1;
  if (withDiff) headRow.appendChild(el('th', { scope: 'col', text: 'diff.', title: 'yours minus baseline' }));
  var ncols = armOrder.length + (withDiff ? 1 : 0);
  var firstPct = ncols > 2 ? 38 : 50;
  var colgroup = el('colgroup', {}, [el('col', { style: 'width:' + firstPct + '%' })]);
  for (var c = 0; c < ncols; c++) colgroup.appendChild(el('col', { style: 'width:' + ((100 - firstPct) / ncols).toFixed(2) + '%' }));
  var tbody = el('tbody');
  var rows = [];
  var seen = {};
  chart.specs.forEach(function (s) {
    if (s.kind === 'metric' && s.part !== 0) return;
    var key = s.kind === 'grade' ? 'g' + s.grade : 'm' + s.metric;
    if (seen[key]) return;
    seen[key] = true;
    var tr = el('tr');
    tr.appendChild(el('th', { scope: 'row' }, [
      el('span', { class: 'sw', style: 'border-top-color:' + s.color }), s.label
    ]));
    var cells = {};
    armOrder.forEach(function (ai) {
      var val = el('span', { class: 'v' });
      cells[ai] = val;
      tr.appendChild(el('td', { class: 'num' }, [val]));
    });
    var diff = null;
    if (withDiff) {
      diff = el('span', { class: 'v diff' });
      tr.appendChild(el('td', { class: 'num' }, [diff]));
    }
    tbody.appendChild(tr);
    rows.push({ spec: s, cells: cells, diff: diff });
  });
  var table = el('table', { class: 'legend-table' }, [colgroup, el('thead', {}, [headRow]), tbody]);
  box.appendChild(table);
  chart.legendRows = rows;
  chart.legendYear = yearCell;
  chart.armOrder = armOrder;
}

export function updateLegend(chart, idx) {
  var r = S.result;
  if (!r || !chart.legendRows) return;
  var n = r.years.length;
  var hover = idx !== null && idx !== undefined && idx >= 0 && idx < n;
  var i = hover ? idx : n - 1;
  if (chart.legendYear) {
    var y = i >= 0 ? r.years[i] : null;
    chart.legendYear.textContent = yearText(y);
  }
  var compare = r.arms.length > 1;
  chart.legendRows.forEach(function (row) {
    var s = row.spec;
    var means = {};
    Object.keys(row.cells).forEach(function (ai) {
      var arm = r.arms[ai];
      var text, mean = null;
      if (i < 0) text = '—';
      else if (s.kind === 'grade') {
        var g = arm.grades[i];
        mean = g && isNum(g[s.grade]) ? g[s.grade] : null;
        text = mean === null ? '—' : fixed(mean, mean >= 100 ? 0 : 1);
      } else {
        var t = (arm.metrics[s.metric] || [])[i] || [null, null, null];
        mean = t[0];
        text = fmtValue(t[0], s.unit);
        // the band's range only without a comparison, to keep the legend short
        if (!compare && isNum(t[1]) && isNum(t[2])) text += ' (band ' + fmtValue(t[1], s.unit) + ' – ' + fmtValue(t[2], s.unit) + ')';
      }
      means[arm.name] = mean;
      row.cells[ai].textContent = text;
    });
    if (row.diff) {
      var a = means.yours, b = null;
      Object.keys(means).forEach(function (k) { if (k !== 'yours') b = means[k]; });
      var d = isNum(a) && isNum(b) ? a - b : null;
      row.diff.textContent = d === null ? '—' : (s.kind === 'grade' ? (d > 0 ? '+' : '') + fixed(d, Math.abs(d) >= 100 ? 0 : 1) : fmtValue(d, s.unit, { signed: true }));
    }
  });
}

// A year as the legends, the table and the status line write it: "year 5",
// "year −3 (warm-up)".
export function yearText(y) {
  if (y === null || y === undefined) return 'year —';
  return y < 0 ? 'year \u2212' + Math.abs(y) + ' (warm-up)' : 'year ' + y;
}
