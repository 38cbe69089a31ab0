/* The results table and why a comparison came out identical.
 */

import { $, el } from './dom.js';
import { fmtValue, isNum, isShare, metricLabel, metricUnit, shownUnit } from './format.js';
import { baselineAbout } from './run.js';
import { showTableYear } from './charts.js';
import { yearText } from './legend.js';

export function renderTable(r) {
  var box = $('diff-table');
  box.textContent = '';
  var done = r.done || {};
  var rows = Array.isArray(done.table) ? done.table : [];
  var compare = r.arms.length > 1 && rows.some(function (row) { return row.baseline; });
  var reps = r.start && r.start.replicates;
  var kind = r.start && r.start.baseline ? r.start.baseline.kind : null;
  var year = isNum(done.table_year) ? done.table_year : null;
  if (year !== null) showTableYear(year);
  var caption = 'Mean of ' +
    (isNum(reps) ? reps + ' replicate' + (reps === 1 ? '' : 's') : 'the replicates') +
    (year === null ? '' : ' at ' + yearText(year)) +
    (compare ? '. Baseline: ' + baselineAbout(r.start) + '. The difference is yours minus the baseline, with its 95% confidence interval; ★ marks a significant difference.'
      : ', with its 95% confidence interval.');
  var head = compare
    ? ['Measure', 'Yours', kind === 'as_is' ? 'Baseline (as it stands)' : kind === 'status_quo' ? 'Baseline (status quo)' : 'Baseline', 'Difference (95% CI)']
    : ['Measure', 'Yours', '95% CI'];
  var table = el('table', { class: 'results-table' + (compare ? ' compare' : '') }, [
    el('caption', { text: caption }),
    el('thead', {}, [el('tr', {}, head.map(function (h, i) { return el('th', { scope: 'col', class: i ? 'num' : null, text: h }); }))])
  ]);
  var tbody = el('tbody');
  rows.forEach(function (row) {
    var unit = row.unit || metricUnit(row.metric);
    var label = row.label || metricLabel(row.metric);
    var y = Array.isArray(row.yours) ? row.yours : [null, null, null];
    var tr = el('tr', { 'data-metric': row.metric || '' });
    tr.appendChild(el('th', { scope: 'row' }, [label, unit && !isShare(unit) ? el('span', { class: 'unit', text: ' (' + shownUnit(unit).unit + ')' }) : null]));
    tr.appendChild(el('td', { class: 'num', text: fmtValue(y[0], unit) }));
    if (compare) {
      var bl = Array.isArray(row.baseline) ? row.baseline : [null, null, null];
      var d = Array.isArray(row.diff) ? row.diff : [null, null, null];
      tr.appendChild(el('td', { class: 'num', text: fmtValue(bl[0], unit) }));
      var sig = !!row.significant;
      var dcell = el('td', { class: 'num diff' }, [
        el('span', { text: fmtValue(d[0], unit, { signed: true }) }),
        el('span', { class: 'ci', text: ' (' + fmtValue(d[1], unit, { signed: true }) + ' to ' + fmtValue(d[2], unit, { signed: true }) + ')' }),
        sig ? el('span', { class: 'star', title: 'significant: the 95% interval leaves out zero', text: ' ★' }) : null,
        sig ? el('span', { class: 'visually-hidden', text: ' significant' }) : null
      ]);
      tr.appendChild(dcell);
      if (sig) tr.classList.add('significant');
      tr.dataset.significant = sig ? 'true' : 'false';
    } else {
      tr.appendChild(el('td', { class: 'num ci', text: isNum(y[1]) && isNum(y[2]) ? fmtValue(y[1], unit) + ' to ' + fmtValue(y[2], unit) : '—' }));
    }
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  box.appendChild(table);
  var same = compare && rows.length && rows.every(function (row) {
    return Array.isArray(row.diff) && row.diff.every(function (x) { return x === 0 || x === null; });
  });
  if (same) box.appendChild(el('p', { class: 'note', text: identicalNote(r) }));
}

// Why a comparison came out identical, from what the server ran.
export function identicalNote(r) {
  var b = (r.start && r.start.baseline) || {};
  var year = r.done && isNum(r.done.table_year) ? r.done.table_year : null;
  if (b.same_as_yours && b.kind === 'as_is') {
    return 'Your run and the baseline are the same scenario, so they came out identical: no lever was changed, and the baseline you chose is ' +
      baselineAbout(r.start) + ', as your run is. Move a lever, or compare with the status quo to see the scenario\'s own reforms.';
  }
  if (b.same_as_yours) {
    return 'Your run and the baseline are the same scenario, so they came out identical: no lever was changed and your run has none of the scenario\'s own reforms ' +
      '(it has none, they fall after the last year, or \u201cKeep the scenario\'s own reforms\u201d is off), so it is the status quo too. Move a lever to see its effect.';
  }
  return 'Your run and the baseline (' + baselineAbout(r.start) + ') differ in their settings but came out identical' +
    (year === null ? '' : ' at year ' + year) + ': your changes did not move these measures by then (for example, they start in the last years, ' +
    'repeat what the baseline already has, or set a lever this scenario does not use).';
}
