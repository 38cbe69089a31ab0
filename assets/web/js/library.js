/* The scenario library: loading it and the scenario picker.
 */

import { S } from './state.js';
import { $, el, setState, setStatus, showError } from './dom.js';
import { fixed, isNum, prettyName } from './format.js';
import { errorFromResponse } from './api.js';
import { buildLevers } from './levers.js';
import { selectScenario } from './scenario.js';
import { buildChartCards } from './charts.js';
import { buildAbout } from './about.js';

export async function loadLibrary() {
  setState('loading');
  var lib;
  try {
    var resp = await fetch('/api/library', { headers: { 'Accept': 'application/json' } });
    if (!resp.ok) throw new Error(await errorFromResponse(resp));
    lib = await resp.json();
  } catch (e) {
    setStatus('Could not load the scenario library.');
    showError('Could not load the scenario library from the bureausim server: ' + (e && e.message ? e.message : e));
    return;
  }
  try {
    initLibrary(lib);
  } catch (e) {
    showError('The scenario library could not be read: ' + (e && e.message ? e.message : e));
    return;
  }
  setState('idle');
}

export function initLibrary(lib) {
  if (!lib || !Array.isArray(lib.scenarios) || !lib.scenarios.length) throw new Error('it lists no scenarios');
  lib.levers = Array.isArray(lib.levers) ? lib.levers : [];
  lib.groups = Array.isArray(lib.groups) ? lib.groups : [];
  lib.charts = Array.isArray(lib.charts) ? lib.charts : [];
  lib.metrics = Array.isArray(lib.metrics) ? lib.metrics : [];
  lib.limits = lib.limits || {};
  S.lib = lib;
  window.bureausim.library = lib;
  lib.metrics.forEach(function (m) { S.metricInfo[m.name] = m; });
  lib.levers.forEach(function (d) { S.defs[d.key] = d; });

  $('version').textContent = 'bureausim ' + (lib.version || '');
  buildScenarioPicker(lib.scenarios);
  buildLevers(lib);
  buildChartCards(lib.charts);
  buildAbout(lib);

  $('years').max = lib.limits.max_years || '';
  $('replicates').max = lib.limits.max_replicates || '';

  var wanted = new URLSearchParams(window.location.search).get('scenario');
  var first = lib.scenarios.find(function (s) { return s.id === wanted; }) || lib.scenarios[0];
  $('scenario').disabled = false;
  ['run', 'compare', 'reset', 'download-toml'].forEach(function (id) { $(id).disabled = false; });
  selectScenario(first.id);
}

export function scenarioFamily(s) {
  if (s.teaching) return 'Teaching demos';
  var id = String(s.id || '');
  if (/^classics\//.test(id)) return 'Classic models';
  if (/^pakistan/.test(id)) return 'Pakistan';
  return 'Reform scenarios';
}

export function buildScenarioPicker(scenarios) {
  var sel = $('scenario');
  sel.textContent = '';
  var order = ['Teaching demos', 'Pakistan', 'Reform scenarios', 'Classic models'];
  var groups = {};
  scenarios.forEach(function (s) {
    var f = scenarioFamily(s);
    (groups[f] = groups[f] || []).push(s);
  });
  Object.keys(groups).forEach(function (f) { if (order.indexOf(f) < 0) order.push(f); });
  order.forEach(function (f) {
    if (!groups[f]) return;
    var og = el('optgroup', { label: f });
    groups[f].forEach(function (s) {
      var text = s.title || prettyName(s.name || s.id);
      if (isNum(s.officers)) text += ' (' + fixed(s.officers, 0) + ' officers)';
      og.appendChild(el('option', { value: s.id, text: text }));
    });
    sel.appendChild(og);
  });
}
