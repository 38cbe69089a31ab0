/* The About panel: the model in brief and one idea per teaching scenario.
 */

import { S } from './state.js';
import { $, el } from './dom.js';
import { metricLabel, prettyName, shownUnit } from './format.js';
import { setLever, updateChangedSummary } from './levers.js';
import { selectScenario } from './scenario.js';

// What to try with a scenario (the library's `try`: text with references
// to charts and table rows, and the levers "Set it up" moves), as nodes:
// a chart is a link that brings it into view, a table row one that brings
// the results table.
export function demoNodes(demo) {
  return (demo.parts || []).map(function (p) {
    if (p.chart) {
      return el('a', {
        href: '#card-' + p.chart, class: 'ref chart-ref', 'data-chart-ref': p.chart,
        title: 'Show the ' + p.text + ' chart', text: p.text,
        onclick: function (e) { e.preventDefault(); showOnPage($('card-' + p.chart)); }
      });
    }
    if (p.row) {
      return el('a', {
        href: '#diff-table', class: 'ref row-ref', 'data-row-ref': p.row,
        title: 'A row of the results table', text: p.text,
        onclick: function (e) {
          e.preventDefault();
          showOnPage(document.querySelector('#diff-table tr[data-metric="' + p.row + '"]') || $('table-heading'));
        }
      });
    }
    return document.createTextNode(p.text || '');
  });
}

// Scrolls `target` into view and marks it for a moment.
function showOnPage(target) {
  if (!target) return;
  target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  target.classList.remove('flash');
  void target.offsetWidth; // restart the animation
  target.classList.add('flash');
  if (target.tabIndex >= 0 || target.hasAttribute('tabindex')) target.focus({ preventScroll: true });
}

export function buildAbout(lib) {
  var dl = $('about-charts');
  dl.textContent = '';
  lib.charts.forEach(function (c) {
    dl.appendChild(el('dt', { text: (c.title || prettyName(c.id)) + (c.unit ? ' (' + c.unit + ')' : '') }));
    var parts = [];
    if (c.about) parts.push(c.about);
    if (c.grades) parts.push('One line per grade: the mean number of officers in it.');
    else if (Array.isArray(c.metrics) && c.metrics.length) {
      parts.push('Lines: ' + c.metrics.map(metricLabel).join(', ') + '.');
    }
    dl.appendChild(el('dd', { text: parts.join(' ') }));
  });

  var ml = $('about-metrics');
  ml.textContent = '';
  var used = {};
  lib.charts.forEach(function (c) { (c.metrics || []).forEach(function (m) { used[m] = true; }); });
  lib.metrics.filter(function (m) { return used[m.name]; }).concat(lib.metrics.filter(function (m) { return !used[m.name]; }))
    .forEach(function (m) {
      ml.appendChild(el('dt', { text: (m.label || prettyName(m.name)) + (m.unit ? ' (' + shownUnit(m.unit).unit + ')' : '') }));
      ml.appendChild(el('dd', { text: m.about || '' }));
    });

  var ul = $('about-ideas');
  ul.textContent = '';
  lib.scenarios.filter(function (s) { return s.try; }).forEach(function (s) {
    var idea = s.try;
    var set = idea.set || {};
    var li = el('li', {}, [el('strong', { text: (s.title || prettyName(s.name || s.id)) + ': ' })].concat(demoNodes(idea), [' ']));
    var ok = Object.keys(set).length > 0 && Object.keys(set).every(function (k) { return S.defs[k]; });
    li.appendChild(el('button', {
      type: 'button', class: 'small',
      text: ok ? 'Set it up' : 'Pick this scenario',
      onclick: function () {
        selectScenario(s.id);
        if (ok) {
          Object.keys(set).forEach(function (k) { setLever(k, set[k]); });
          updateChangedSummary();
        }
        $('scenario').focus();
        $('scenario').scrollIntoView({ block: 'start', behavior: 'smooth' });
      }
    }));
    ul.appendChild(li);
  });
}
