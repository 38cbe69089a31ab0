/* Choosing a scenario: its description, its own reforms and the
 * baseline choice, and resetting the levers to it.
 */

import { S } from './state.js';
import { $, clearError, el, setState, setStatus } from './dom.js';
import { fixed, isNum } from './format.js';
import { baselineOf, setLever, updateChangedSummary } from './levers.js';
import { abortRun } from './run.js';
import { clearResults } from './charts.js';
import { demoNodes } from './about.js';

export function findScenario(id) {
  return S.lib.scenarios.find(function (s) { return s.id === id; }) || null;
}

export function selectScenario(id) {
  var sc = findScenario(id);
  if (!sc) return;
  abortRun();
  S.scenario = sc;
  $('scenario').value = sc.id;
  try {
    var url = new URL(window.location.href);
    url.searchParams.set('scenario', sc.id);
    window.history.replaceState(null, '', url.toString());
  } catch (e) { /* file: or sandboxed: never mind */ }
  renderScenarioAbout(sc);
  resetToScenario();
}

export function renderScenarioAbout(sc) {
  var box = $('scenario-about');
  box.textContent = '';
  box.appendChild(el('p', { class: 'desc', text: sc.description || 'No description.' }));
  var facts = [];
  if (isNum(sc.officers)) facts.push(fixed(sc.officers, 0) + ' officers');
  if (isNum(sc.years)) facts.push(sc.years + ' years' + (isNum(sc.warmup_years) && sc.warmup_years ? ' (+' + sc.warmup_years + ' warm-up)' : ''));
  box.appendChild(el('p', { class: 'facts', text: facts.join(' · ') }));
  var reforms = Array.isArray(sc.reforms) ? sc.reforms : [];
  var rp = el('p', { class: 'facts reforms' });
  if (reforms.length) {
    rp.appendChild(document.createTextNode(reforms.length === 1 ? 'Its reform: ' : 'Its reforms: '));
    reforms.forEach(function (r, i) {
      if (i) rp.appendChild(document.createTextNode('; '));
      rp.appendChild(el('strong', { text: 'year ' + r.year }));
      rp.appendChild(document.createTextNode(' ' + String(r.label || 'reform')));
    });
    rp.appendChild(document.createTextNode('.'));
  } else {
    rp.appendChild(document.createTextNode('No reforms of its own: the policies stay as they are unless you change them.'));
  }
  box.appendChild(rp);
  if (sc.try) {
    box.appendChild(el('details', { class: 'try' }, [
      el('summary', { text: 'Something to try' }),
      el('p', {}, demoNodes(sc.try))
    ]));
  }
  var max = S.lib.limits.max_years;
  if (isNum(sc.years) && isNum(max) && sc.years > max) {
    box.appendChild(el('p', { class: 'facts', text: 'The scenario runs ' + sc.years + ' years; this page runs at most ' + max + '.' }));
  }
}

// The "keep the scenario's own reforms" switch (your run) and the
// baseline choice (what Compare runs against), and what they mean here.
export function renderOwnReforms() {
  var box = $('own-reforms');
  var hint = $('own-reforms-hint');
  var n = S.scenario && Array.isArray(S.scenario.reforms) ? S.scenario.reforms.length : 0;
  var preset = S.scenario && S.scenario.preset && S.scenario.preset.levers;
  var its = 'its reform' + (n > 1 ? 's' : '');
  box.parentNode.classList.toggle('off', !box.checked && n > 0 && !preset);
  if (!n) hint.textContent = 'This scenario has no reforms of its own.';
  else if (preset && !box.checked) hint.textContent = 'Its reform is on the policy levers below (marked as changed), from the reform year. Move the levers to change it.';
  else if (box.checked) hint.textContent = 'Your run keeps ' + its + '. Untick to drop ' + (n > 1 ? 'them' : 'it') + ', so that you can move a lever ' + (n > 1 ? 'they set' : 'it sets') + ' by hand.';
  else hint.textContent = 'Dropped: your run has none of the scenario\'s own reforms, only your changes.';
  var base = $('baseline');
  var bhint = $('baseline-hint');
  if (!n) {
    base.value = 'status_quo';
    base.disabled = true;
    bhint.textContent = 'The scenario has no reforms of its own: its status quo is the scenario as it stands.';
  } else {
    base.disabled = false;
    bhint.textContent = base.value === 'as_is'
      ? 'The scenario with ' + its + ': Compare shows what your changes do instead of or on top of ' + (n > 1 ? 'them' : 'it') + '.'
      : 'The scenario without ' + its + ' (or yours): Compare shows the effect of what your run has.';
  }
  updateChangedSummary();
}

export function clampInt(v, lo, hi) {
  if (!isNum(v)) return lo;
  v = Math.round(v);
  if (isNum(lo)) v = Math.max(lo, v);
  if (isNum(hi)) v = Math.min(hi, v);
  return v;
}

export function resetToScenario() {
  var sc = S.scenario, lim = S.lib.limits;
  if (!sc) return;
  Object.keys(S.rows).forEach(function (key) { setLever(key, baselineOf(key)); });
  // A scenario whose own reforms are plain lever changes (the teaching
  // demos) opens with them on the sliders and its own reforms off: Run
  // shows the demo, Compare shows it against the status quo.
  var preset = sc.preset && sc.preset.levers ? sc.preset : null;
  if (preset) {
    Object.keys(preset.levers).forEach(function (key) {
      if (S.rows[key]) setLever(key, preset.levers[key]);
    });
  }
  updateChangedSummary();
  var years = clampInt(sc.years, 1, lim.max_years);
  var reps = clampInt(isNum(sc.default_replicates) ? sc.default_replicates : sc.replicates, 1, lim.max_replicates);
  var ryRaw = preset && isNum(preset.reform_year) ? preset.reform_year : sc.default_reform_year;
  var ry = clampInt(isNum(ryRaw) ? ryRaw : 0, 0, years - 1);
  $('years').value = String(years);
  $('replicates').value = String(reps);
  $('reform-year').value = String(ry);
  $('reform-year').max = String(years - 1);
  $('own-reforms').checked = !preset;
  $('baseline').value = 'status_quo';
  renderOwnReforms();
  clearResults();
  clearError();
  $('progress').value = 0;
  $('progress').max = 1;
  setStatus('Ready: press Run, or Compare with baseline.');
  setState('idle');
}
