/* The policy levers: building them from the library, reading, setting
 * and showing their values, and the summary of what changed.
 */

import { S } from './state.js';
import { $, el, idFor } from './dom.js';
import { fmtLever, isNum, prettyName, sameValue } from './format.js';

export const THUMB_PX = 26; // keep in step with --thumb in app.css

export function buildLevers(lib) {
  var box = $('levers');
  box.textContent = '';
  var groups = lib.groups.slice();
  var known = {};
  groups.forEach(function (g) { known[g.id] = true; });
  lib.levers.forEach(function (d) {
    if (!known[d.group]) { known[d.group] = true; groups.push({ id: d.group, label: prettyName(d.group || 'other') }); }
  });
  groups.forEach(function (g) {
    var levers = lib.levers.filter(function (d) { return d.group === g.id; });
    if (!levers.length) return;
    var legendId = 'group-' + String(g.id).replace(/[^A-Za-z0-9_-]/g, '-');
    var count = el('span', { class: 'group-changed', 'aria-live': 'polite' });
    var fs = el('fieldset', { 'aria-labelledby': legendId + '-label' }, [
      el('legend', { class: 'visually-hidden', text: g.label || g.id })
    ]);
    var det = el('details', { class: 'group', open: true, 'data-group': g.id }, [
      el('summary', {}, [
        el('span', { class: 'group-label', id: legendId + '-label', text: g.label || prettyName(g.id) }),
        count,
        g.about ? el('span', { class: 'group-about', text: g.about }) : null
      ]),
      fs
    ]);
    levers.forEach(function (d) {
      var row = buildLever(d);
      fs.appendChild(row.row);
      row.group = count;
      S.rows[d.key] = row;
    });
    box.appendChild(det);
  });
}

export function buildLever(d) {
  var id = idFor(d.key);
  var input, track = null, mark;
  var valueEl = el('output', { class: 'lever-value', id: id + '-value', for: id });
  var aboutId = id + '-about';
  var baselineText = el('span', { class: 'baseline-text' });
  var undo = el('button', {
    type: 'button', class: 'undo small', hidden: true,
    'aria-label': 'Set ' + (d.label || d.key) + ' back to the baseline', text: '↺ baseline'
  });

  if (d.kind === 'bool') {
    input = el('input', { type: 'checkbox', id: id, 'data-key': d.key, 'aria-describedby': aboutId, class: 'switch' });
    mark = el('span', { class: 'baseline-flag', 'data-baseline-for': d.key });
  } else if (d.kind === 'choice') {
    input = el('select', { id: id, 'data-key': d.key, 'aria-describedby': aboutId });
    (d.choices || []).forEach(function (c) {
      input.appendChild(el('option', { value: String(c), text: String(c).replace(/_/g, ' ') }));
    });
    mark = el('span', { class: 'baseline-flag', 'data-baseline-for': d.key });
  } else {
    var min = isNum(d.min) ? d.min : 0, max = isNum(d.max) ? d.max : 1;
    var step = isNum(d.step) && d.step > 0 ? d.step : (max - min) / 100 || 'any';
    input = el('input', {
      type: 'range', id: id, 'data-key': d.key, min: min, max: max, step: step,
      'aria-describedby': aboutId
    });
    mark = el('span', { class: 'baseline-mark', 'data-baseline-for': d.key });
    track = el('div', { class: 'track' }, [
      input, mark
    ]);
  }

  var head = el('div', { class: 'lever-head' }, d.kind === 'bool'
    ? [el('span', { class: 'switch-wrap' }, [input, el('label', { for: id, text: d.label || d.key })]), valueEl]
    : [el('label', { for: id, text: d.label || d.key }), valueEl]);

  var scale = null;
  if (track) {
    scale = el('div', { class: 'track-scale', 'aria-hidden': 'true' }, [
      el('span', { text: fmtLever(Number(input.min), d) }),
      el('span', { text: fmtLever(Number(input.max), d) })
    ]);
  }

  // Said where the lever's mechanism is switched off (updateInert).
  var inertNote = el('span', { class: 'lever-inert', id: id + '-inert', hidden: true });
  var foot = el('div', { class: 'lever-foot' }, [
    el('span', { class: 'lever-about', id: aboutId, text: d.about || '' }),
    inertNote,
    el('span', { class: 'lever-base' }, [d.kind === 'number' ? baselineText : mark, undo])
  ]);
  var children = [head];
  if (d.kind === 'choice') children.push(input);
  if (track) { children.push(track); children.push(scale); }
  children.push(foot);
  var row = el('div', { class: 'lever', 'data-lever': d.key, 'data-kind': d.kind || 'number' }, children);

  function onChange() { readLever(d.key); }
  input.addEventListener('input', onChange);
  input.addEventListener('change', onChange);
  undo.addEventListener('click', function () {
    setLever(d.key, baselineOf(d.key));
    updateChangedSummary();
    input.focus();
  });

  return { row: row, input: input, valueEl: valueEl, mark: mark, baselineText: baselineText, undo: undo, inertNote: inertNote };
}

export function baselineOf(key) {
  var vals = (S.scenario && S.scenario.values) || {};
  var d = S.defs[key];
  if (Object.prototype.hasOwnProperty.call(vals, key)) return vals[key];
  if (!d) return null;
  if (d.kind === 'bool') return false;
  if (d.kind === 'choice') return (d.choices || [])[0];
  return isNum(d.min) ? d.min : 0;
}

export function readLever(key) {
  var d = S.defs[key], r = S.rows[key];
  if (!d || !r) return;
  var v;
  if (d.kind === 'bool') v = !!r.input.checked;
  else if (d.kind === 'choice') v = r.input.value;
  else {
    v = Number(r.input.value);
    if (!isNum(v)) return;
  }
  S.values[key] = v;
  renderLever(key);
  updateChangedSummary();
}

// Set a lever's value and its input (a baseline off the slider's step
// grid is kept exactly; the thumb shows the nearest step).
export function setLever(key, v) {
  var d = S.defs[key], r = S.rows[key];
  if (!d || !r) return;
  S.values[key] = v;
  if (d.kind === 'bool') r.input.checked = !!v;
  else if (d.kind === 'choice') {
    if (v !== null && v !== undefined && !Array.prototype.some.call(r.input.options, function (o) { return o.value === String(v); })) {
      r.input.appendChild(el('option', { value: String(v), text: String(v).replace(/_/g, ' ') }));
    }
    r.input.value = String(v);
  } else r.input.value = String(v);
  renderLever(key);
}

// The switch a lever needs that is off, or null: a switch that is itself
// a lever (training) as it is set now, another as the scenario has it.
export function offSwitch(key) {
  var d = S.defs[key];
  var switches = (S.scenario && S.scenario.switches) || {};
  var needs = (d && d.needs) || [];
  for (var i = 0; i < needs.length; i++) {
    var n = needs[i];
    var on = Object.prototype.hasOwnProperty.call(S.rows, n) ? !!S.values[n] : switches[n] !== false;
    if (!on) return n;
  }
  return null;
}

// A lever whose mechanism is off does nothing: disabled, with a note, and
// left out of what a run changes (the server refuses it).
export function updateInert() {
  Object.keys(S.rows).forEach(function (key) {
    var r = S.rows[key], off = offSwitch(key);
    r.input.disabled = !!off;
    r.row.classList.toggle('inert', !!off);
    r.inertNote.hidden = !off;
    r.inertNote.textContent = off ? 'Does nothing here: ' + off + ' is off in this scenario.' : '';
    if (off) r.input.setAttribute('aria-describedby', r.inertNote.id);
    else r.input.setAttribute('aria-describedby', r.inertNote.id.replace(/-inert$/, '-about'));
  });
}

export function renderLever(key) {
  var d = S.defs[key], r = S.rows[key];
  var v = S.values[key], base = baselineOf(key);
  var changed = !sameValue(v, base, d);
  r.valueEl.textContent = fmtLever(v, d);
  r.row.classList.toggle('changed', changed);
  r.row.dataset.changed = changed ? 'true' : 'false';
  r.undo.hidden = !changed;
  var baseText = 'baseline: ' + fmtLever(base, d);
  if (d.kind === 'number') {
    r.baselineText.textContent = baseText;
    var min = Number(r.input.min), max = Number(r.input.max);
    var frac = max > min && isNum(base) ? (base - min) / (max - min) : 0;
    frac = Math.max(0, Math.min(1, frac));
    r.mark.style.left = 'calc(' + (THUMB_PX / 2) + 'px + (100% - ' + THUMB_PX + 'px) * ' + frac.toFixed(5) + ')';
    r.mark.title = baseText;
    r.mark.dataset.value = String(base);
    r.mark.textContent = '';
    r.mark.appendChild(el('span', { class: 'visually-hidden', text: baseText }));
    r.input.setAttribute('aria-valuetext', fmtLever(v, d) + (changed ? ' (changed; ' + baseText + ')' : ' (baseline)'));
  } else {
    r.mark.textContent = baseText;
    r.mark.dataset.value = String(base);
  }
}

export function changedLevers() {
  var out = {};
  Object.keys(S.rows).forEach(function (key) {
    var d = S.defs[key];
    if (offSwitch(key)) return;
    if (!sameValue(S.values[key], baselineOf(key), d)) out[key] = S.values[key];
  });
  return out;
}

export function updateChangedSummary() {
  updateInert();
  var ch = changedLevers();
  var keys = Object.keys(ch);
  // per group counts
  var perGroup = new Map();
  Object.keys(S.rows).forEach(function (key) {
    var g = S.rows[key].group;
    if (!perGroup.has(g)) perGroup.set(g, 0);
    if (Object.prototype.hasOwnProperty.call(ch, key)) perGroup.set(g, perGroup.get(g) + 1);
  });
  perGroup.forEach(function (n, g) {
    g.textContent = n ? n + ' changed' : '';
    g.hidden = !n;
  });
  var box = $('changed-summary');
  box.textContent = '';
  if (!keys.length) {
    var n = S.scenario && Array.isArray(S.scenario.reforms) ? S.scenario.reforms.length : 0;
    box.appendChild(document.createTextNode(n && !$('own-reforms').checked
      ? 'No lever changed and the scenario\'s own reforms dropped: Run shows the status quo.'
      : 'No lever changed: Run shows the scenario as it stands.'));
    return;
  }
  box.appendChild(document.createTextNode(keys.length === 1 ? '1 lever changed: ' : keys.length + ' levers changed: '));
  keys.forEach(function (k, i) {
    var d = S.defs[k];
    if (i) box.appendChild(document.createTextNode('; '));
    box.appendChild(el('strong', { text: (d.label || k) + ' ' + fmtLever(ch[k], d) }));
    box.appendChild(document.createTextNode(' (baseline ' + fmtLever(baselineOf(k), d) + ')'));
  });
  box.appendChild(document.createTextNode('.'));
}
