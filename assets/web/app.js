/* bureausim serve: the classroom and workshop page.
 *
 * Vanilla JavaScript, no build step. Talks only to the same-origin API
 * described in docs/serve.md: GET /api/library, POST /api/run (a stream of
 * Server-Sent Events read with fetch), POST /api/toml and the CSV links.
 * Charts are drawn with the vendored uPlot.
 */
(function () {
  'use strict';

  // Okabe-Ito: readable by most colour-blind viewers and on a projector.
  var PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
  var BASELINE_GREY = '#6b6b6b';
  var THUMB_PX = 26; // keep in step with --thumb in app.css
  var FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';

  var S = {
    lib: null,
    scenario: null,
    defs: {},            // lever key -> definition
    values: {},          // lever key -> current value
    rows: {},            // lever key -> {row, input, valueEl, group}
    metricInfo: {},      // metric name -> {label, unit, about}
    controller: null,    // AbortController of the running stream
    result: null,
    charts: [],          // {def, plot, specs, card, legend, ...}
    redrawQueued: false,
    runToken: 0
  };

  window.bureausim = { result: null, library: null };

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k === 'style') e.setAttribute('style', v);
        else if (k.slice(0, 2) === 'on' && typeof v === 'function') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function setState(s) { document.body.dataset.state = s; }

  function setStatus(text) { $('status').textContent = text; }

  // `title` defaults to a failure; settings the server refused (400) say so.
  function showError(message, title) {
    var box = $('error');
    box.textContent = '';
    box.appendChild(el('strong', { text: (title || 'Something went wrong.') + ' ' }));
    box.appendChild(document.createTextNode(String(message || 'Unknown error.')));
    box.hidden = false;
    setState('error');
  }

  function clearError() {
    var box = $('error');
    box.hidden = true;
    box.textContent = '';
  }

  function idFor(key) { return 'lever-' + String(key).replace(/[^A-Za-z0-9_-]/g, '-'); }

  function prettyName(name) {
    var s = String(name || '').replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function isNum(v) { return typeof v === 'number' && isFinite(v); }

  function decimalsOf(x) {
    if (!isNum(x)) return 0;
    var s = String(x);
    if (s.indexOf('e-') >= 0) return Math.min(6, parseInt(s.split('e-')[1], 10) || 0);
    var i = s.indexOf('.');
    return i < 0 ? 0 : s.length - i - 1;
  }

  var nfCache = {};
  function fixed(v, digits) {
    digits = Math.max(0, Math.min(6, digits | 0));
    if (!nfCache[digits]) {
      nfCache[digits] = new Intl.NumberFormat('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    return nfCache[digits].format(v);
  }

  function isShare(unit) { return unit === 'share'; }

  // A measure's value as people read it: shares as percentages.
  function fmtValue(v, unit, opts) {
    if (!isNum(v)) return '—';
    opts = opts || {};
    var sign = opts.signed && v > 0 ? '+' : '';
    if (isShare(unit)) {
      var p = v * 100;
      return sign + fixed(p, Math.abs(p) >= 10 ? 1 : 2) + (opts.signed ? ' pp' : '%');
    }
    var a = Math.abs(v);
    var d = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 1 : a >= 1 ? 2 : a === 0 ? 0 : 3;
    return sign + fixed(v, d);
  }

  function unitSuffix(unit) {
    if (!unit || unit === 'share' || unit === 'probability' || /^[-0-9.]/.test(unit)) return '';
    if (unit === 'x' || unit === '×') return '×';
    return ' ' + unit;
  }

  function fmtLever(v, def) {
    if (def.kind === 'bool') return v ? 'on' : 'off';
    if (def.kind === 'choice') return String(v).replace(/_/g, ' ');
    if (!isNum(v)) return '—';
    var d = Math.min(4, Math.max(decimalsOf(def.step), decimalsOf(v)));
    var suffix = unitSuffix(def.unit);
    return fixed(v, d) + (suffix === '×' ? '×' : suffix);
  }

  function sameValue(a, b, def) {
    if (def && def.kind === 'number') {
      if (!isNum(a) || !isNum(b)) return a === b;
      return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    }
    return a === b;
  }

  function hexToRgb(hex) {
    var h = hex.replace('#', '');
    if (h.length === 3) h = h.split('').map(function (c) { return c + c; }).join('');
    var n = parseInt(h, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function rgba(hex, a) {
    var c = hexToRgb(hex);
    return 'rgba(' + c[0] + ',' + c[1] + ',' + c[2] + ',' + a + ')';
  }

  // The baseline arm: the same hue, washed towards grey.
  function greyish(hex) {
    var c = hexToRgb(hex), g = hexToRgb(BASELINE_GREY), t = 0.6;
    var m = c.map(function (x, i) { return Math.round(x * (1 - t) + g[i] * t); });
    return '#' + m.map(function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  function metricLabel(name) { return (S.metricInfo[name] && S.metricInfo[name].label) || prettyName(name); }
  function metricUnit(name) { return (S.metricInfo[name] && S.metricInfo[name].unit) || ''; }

  async function errorFromResponse(resp) {
    var text = '';
    try { text = await resp.text(); } catch (e) { /* ignore */ }
    var msg = '';
    try {
      var j = JSON.parse(text);
      if (j && typeof j.error === 'string') msg = j.error;
    } catch (e) { /* not JSON */ }
    if (!msg) msg = (text || '').trim().slice(0, 300) || (resp.statusText || 'request failed');
    return resp.status === 400 ? msg : msg + ' (HTTP ' + resp.status + ')';
  }

  // ---------------------------------------------------------------- library

  async function loadLibrary() {
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

  function initLibrary(lib) {
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

  function scenarioFamily(s) {
    if (s.teaching) return 'Teaching demos';
    var id = String(s.id || '');
    if (/^classics\//.test(id)) return 'Classic models';
    if (/^pakistan/.test(id)) return 'Pakistan';
    return 'Reform scenarios';
  }

  function buildScenarioPicker(scenarios) {
    var sel = $('scenario');
    sel.textContent = '';
    var order = ['Teaching demos', 'Reform scenarios', 'Pakistan', 'Classic models'];
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
        var text = prettyName(s.name || s.id);
        if (isNum(s.officers)) text += ' (' + fixed(s.officers, 0) + ' officers)';
        og.appendChild(el('option', { value: s.id, text: text }));
      });
      sel.appendChild(og);
    });
  }

  // ---------------------------------------------------------------- levers

  function buildLevers(lib) {
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

  function buildLever(d) {
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

    var foot = el('div', { class: 'lever-foot' }, [
      el('span', { class: 'lever-about', id: aboutId, text: d.about || '' }),
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

    return { row: row, input: input, valueEl: valueEl, mark: mark, baselineText: baselineText, undo: undo };
  }

  function baselineOf(key) {
    var vals = (S.scenario && S.scenario.values) || {};
    var d = S.defs[key];
    if (Object.prototype.hasOwnProperty.call(vals, key)) return vals[key];
    if (!d) return null;
    if (d.kind === 'bool') return false;
    if (d.kind === 'choice') return (d.choices || [])[0];
    return isNum(d.min) ? d.min : 0;
  }

  function readLever(key) {
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
  function setLever(key, v) {
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

  function renderLever(key) {
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

  function changedLevers() {
    var out = {};
    Object.keys(S.rows).forEach(function (key) {
      var d = S.defs[key];
      if (!sameValue(S.values[key], baselineOf(key), d)) out[key] = S.values[key];
    });
    return out;
  }

  function updateChangedSummary() {
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

  // ---------------------------------------------------------------- scenario

  function findScenario(id) {
    return S.lib.scenarios.find(function (s) { return s.id === id; }) || null;
  }

  function selectScenario(id) {
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

  function renderScenarioAbout(sc) {
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
    var idea = IDEAS[sc.id];
    if (idea) {
      box.appendChild(el('details', { class: 'try' }, [
        el('summary', { text: 'Something to try' }),
        el('p', { text: idea.text })
      ]));
    }
    var max = S.lib.limits.max_years;
    if (isNum(sc.years) && isNum(max) && sc.years > max) {
      box.appendChild(el('p', { class: 'facts', text: 'The scenario runs ' + sc.years + ' years; this page runs at most ' + max + '.' }));
    }
  }

  // The "keep the scenario's own reforms" switch (your run) and the
  // baseline choice (what Compare runs against), and what they mean here.
  function renderOwnReforms() {
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

  function clampInt(v, lo, hi) {
    if (!isNum(v)) return lo;
    v = Math.round(v);
    if (isNum(lo)) v = Math.max(lo, v);
    if (isNum(hi)) v = Math.min(hi, v);
    return v;
  }

  function resetToScenario() {
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
    var ry = clampInt(isNum(ryRaw) ? ryRaw : 0, 0, years);
    $('years').value = String(years);
    $('replicates').value = String(reps);
    $('reform-year').value = String(ry);
    $('reform-year').max = String(years);
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

  // ---------------------------------------------------------------- request

  function readInt(id, field) {
    var input = $(id);
    var t = String(input.value).trim();
    var lo = input.min, hi = input.max;
    var range = (lo !== '' ? lo : '?') + ' to ' + (hi !== '' ? hi : '?');
    if (t === '') throw new Error(field + ': enter a whole number from ' + range + '.');
    var v = Number(t);
    if (!Number.isInteger(v)) throw new Error(field + ': "' + t + '" is not a whole number (allowed: ' + range + ').');
    return v;
  }

  function buildRequest(compare) {
    if (!S.scenario) throw new Error('no scenario chosen yet.');
    var req = {
      scenario: S.scenario.id,
      levers: changedLevers(),
      reform_year: readInt('reform-year', 'reform_year'),
      replicates: readInt('replicates', 'replicates'),
      years: readInt('years', 'years')
    };
    if (compare !== undefined) req.compare = !!compare;
    req.keep_reforms = !!$('own-reforms').checked;
    if (compare) req.baseline = $('baseline').value === 'as_is' ? 'as_is' : 'status_quo';
    return req;
  }

  // ---------------------------------------------------------------- runs

  function setRunning(on) {
    $('run').disabled = on;
    $('compare').disabled = on;
    $('stop').hidden = !on;
    document.body.classList.toggle('is-running', on);
    // Screen readers hold the year-by-year status until the run ends.
    var line = document.querySelector('.runline');
    if (line) line.setAttribute('aria-busy', on ? 'true' : 'false');
    // Keep keyboard focus somewhere useful while Run and Compare are disabled.
    if (on && (document.activeElement === $('run') || document.activeElement === $('compare'))) $('stop').focus();
  }

  function abortRun() {
    if (S.controller) {
      try { S.controller.abort(); } catch (e) { /* ignore */ }
      S.controller = null;
    }
    S.runToken++;
    setRunning(false);
  }

  async function startRun(compare) {
    if (!S.lib || !S.scenario) return;
    abortRun();
    clearError();
    var req;
    try {
      req = buildRequest(compare);
    } catch (e) {
      showError(e.message);
      setStatus('Not run: check the settings.');
      return;
    }
    var token = ++S.runToken;
    var controller = new AbortController();
    S.controller = controller;
    clearResults();
    setRunning(true);
    setState('running');
    setStatus(compare ? 'starting: yours and the baseline (' + (req.baseline === 'as_is' ? 'the scenario as it stands' : 'the status quo') + ')…' : 'starting…');
    $('progress').removeAttribute('value'); // indeterminate until start
    var live = function () { return token === S.runToken; };
    var finished = { done: false, error: false };

    var resp;
    try {
      resp = await fetch('/api/run', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream' },
        body: JSON.stringify(req),
        signal: controller.signal
      });
    } catch (e) {
      if (!live() || (e && e.name === 'AbortError')) return;
      failRun('Could not reach the bureausim server: ' + (e && e.message ? e.message : e));
      return;
    }
    if (!live()) return;
    if (!resp.ok) {
      var msg = await errorFromResponse(resp);
      if (live()) failRun(msg, resp.status === 400 ? 'Please check the settings:' : null);
      return;
    }
    if (!resp.body || !resp.body.getReader) {
      failRun('This browser cannot read the result stream.');
      return;
    }
    try {
      await readEvents(resp.body, function (name, data) {
        if (!live()) return false;
        return onEvent(name, data, finished);
      });
    } catch (e) {
      if (!live() || (e && e.name === 'AbortError')) return;
      failRun('The connection to the server broke during the run: ' + (e && e.message ? e.message : e));
      return;
    }
    if (!live()) return;
    if (!finished.done && !finished.error) {
      failRun('The run stopped before it finished: the server closed the connection.');
      return;
    }
    S.controller = null;
    setRunning(false);
  }

  function failRun(message, title) {
    if (S.controller) { try { S.controller.abort(); } catch (e) { /* ignore */ } }
    S.controller = null;
    S.runToken++;
    setRunning(false);
    var p = $('progress');
    if (!p.hasAttribute('value')) p.value = 0;
    setStatus('failed');
    showError(message, title);
  }

  // Server-Sent Events over fetch: "event:" and "data:" lines, a blank line
  // ends an event. onEvent returns false to stop reading.
  async function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder('utf-8');
    var buf = '';
    var name = '', data = [];
    var stop = false;

    function line(l) {
      if (l === '') {
        if (data.length) {
          if (onEvent(name || 'message', data.join('\n')) === false) stop = true;
        }
        name = ''; data = [];
        return;
      }
      if (l.charAt(0) === ':') return;
      var i = l.indexOf(':');
      var field = i < 0 ? l : l.slice(0, i);
      var value = i < 0 ? '' : l.slice(i + 1);
      if (value.charAt(0) === ' ') value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }

    function drain(final) {
      var re = /\r\n|\r|\n/g, m, start = 0;
      while ((m = re.exec(buf)) !== null) {
        // a lone CR at the very end may be half of a CRLF: wait for more
        if (!final && m[0] === '\r' && m.index === buf.length - 1) break;
        line(buf.slice(start, m.index));
        start = m.index + m[0].length;
        if (stop) break;
      }
      buf = buf.slice(start);
    }

    try {
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buf += decoder.decode(chunk.value, { stream: true });
        drain(false);
        if (stop) break;
      }
      if (!stop) {
        buf += decoder.decode();
        drain(true);
        if (buf !== '') line(buf);
        if (!stop && data.length) line('');
      }
    } finally {
      if (stop) { try { await reader.cancel(); } catch (e) { /* ignore */ } }
      try { reader.releaseLock(); } catch (e) { /* ignore */ }
    }
  }

  function onEvent(name, text, finished) {
    var data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      finished.error = true;
      failRun('The server sent an unreadable "' + name + '" event.');
      return false;
    }
    try {
      if (name === 'start') onStart(data);
      else if (name === 'year') onYear(data);
      else if (name === 'done') { onDone(data); finished.done = true; return false; }
      else if (name === 'error') {
        finished.error = true;
        failRun((data && data.error) || 'The run failed.');
        return false;
      }
    } catch (e) {
      finished.error = true;
      failRun('Could not show the "' + name + '" event: ' + (e && e.message ? e.message : e));
      return false;
    }
    return true;
  }

  function onStart(st) {
    var arms = Array.isArray(st.arms) && st.arms.length ? st.arms : ['yours'];
    S.result = {
      start: st,
      years: [],
      arms: arms.map(function (a) { return { name: a, metrics: {}, grades: [] }; }),
      done: null
    };
    window.bureausim.result = S.result;
    var warm = isNum(st.warmup_years) ? st.warmup_years : 0;
    var years = isNum(st.years) ? st.years : 0;
    var p = $('progress');
    p.max = Math.max(1, warm + years + 1);
    p.value = 0;
    setStatus(warm > 0 ? 'warming up 0/' + warm : 'year 0 of ' + years);
    $('arm-legend').hidden = arms.length < 2;
    $('baseline-about').textContent = baselineAbout(st);
    var band = typeof st.band === 'string' && st.band ? st.band
      : (st.replicates === 1 ? 'one replicate: no band (line: the run)' : 'band: 5th–95th percentile of the replicates (line: mean)');
    $('band-note').textContent = band.charAt(0).toUpperCase() + band.slice(1) + '.';
    $('results-key').hidden = false;
    buildCharts(S.result);
  }

  function onYear(ev) {
    var r = S.result;
    if (!r) throw new Error('a year arrived before the start of the run');
    var n = r.years.length;
    r.years.push(ev.year);
    (ev.arms || []).forEach(function (a, i) {
      var arm = r.arms[i];
      if (!arm) return;
      var ms = (a && a.metrics) || {};
      Object.keys(ms).forEach(function (name) {
        if (!arm.metrics[name]) {
          arm.metrics[name] = [];
          for (var k = 0; k < n; k++) arm.metrics[name].push([null, null, null]);
        }
      });
      Object.keys(arm.metrics).forEach(function (name) {
        var v = ms[name];
        arm.metrics[name].push(Array.isArray(v) ? [num(v[0]), num(v[1]), num(v[2])] : [null, null, null]);
      });
      arm.grades.push(Array.isArray(a && a.grades) ? a.grades.map(num) : []);
    });
    r.arms.forEach(function (arm, i) {
      if (!(ev.arms || [])[i]) {
        Object.keys(arm.metrics).forEach(function (name) { arm.metrics[name].push([null, null, null]); });
        arm.grades.push([]);
      }
    });
    var st = r.start, warm = st.warmup_years || 0;
    var p = $('progress');
    p.value = Math.min(p.max, r.years.length);
    if (ev.year < 0) setStatus('warming up ' + (ev.year + warm + 1) + '/' + warm);
    else setStatus('year ' + ev.year + ' of ' + st.years);
    queueRedraw();
  }

  function num(v) { return isNum(v) ? v : null; }

  // What the baseline arm is, as the server describes it.
  function baselineAbout(st) {
    var b = st && st.baseline;
    return b && typeof b.about === 'string' && b.about ? b.about : 'the baseline';
  }

  function onDone(done) {
    var r = S.result;
    if (!r) throw new Error('the run finished before it started');
    r.done = done;
    S.controller = null;
    setRunning(false);
    var p = $('progress');
    p.value = p.max;
    var secs = isNum(done.seconds) ? done.seconds : null;
    setStatus((secs === null ? 'done' : 'done in ' + (secs < 10 ? fixed(secs, 2) : fixed(secs, 1)) + ' s') +
      (r.arms.length > 1 ? '; baseline: ' + baselineAbout(r.start) : ''));
    redrawNow();
    renderTable(r);
    enableDownloads(done.downloads || {});
    setState('done');
  }

  function stopRun() {
    var r = S.result;
    abortRun();
    var y = r && r.years.length ? r.years[r.years.length - 1] : null;
    setStatus(y === null ? 'stopped' : 'stopped at year ' + y);
    setState('idle');
  }

  // ---------------------------------------------------------------- charts

  function buildChartCards(charts) {
    var grid = $('chart-grid');
    grid.textContent = '';
    charts.forEach(function (c) {
      var cid = 'chart-' + c.id;
      var metricsLine = c.grades ? 'mean headcount of each grade' :
        (c.metrics || []).map(metricLabel).join(' · ');
      var card = el('figure', { class: 'chart-card', 'data-chart': c.id, 'aria-labelledby': cid + '-title' }, [
        el('figcaption', {}, [
          el('h3', { id: cid + '-title', text: c.title || prettyName(c.id) }),
          el('span', { class: 'chart-unit', text: c.unit ? '(' + c.unit + ')' : '' }),
          el('p', { class: 'chart-about', text: c.about || metricsLine, title: c.about || metricsLine })
        ]),
        el('div', { class: 'chart', id: cid, role: 'img', 'aria-label': (c.title || c.id) + ': ' + metricsLine }, [
          el('p', { class: 'placeholder', text: 'Press Run to watch this chart fill in year by year.' })
        ]),
        el('div', { class: 'chart-legend', id: cid + '-legend' })
      ]);
      grid.appendChild(card);
    });
  }

  function chartHeight() {
    var h = window.innerHeight || 800;
    return Math.round(Math.max(200, Math.min(380, h * 0.3)));
  }

  function fontPx() {
    var fs = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(fs * 0.8);
  }

  function destroyCharts() {
    S.charts.forEach(function (c) { try { c.plot.destroy(); } catch (e) { /* ignore */ } });
    S.charts = [];
  }

  function clearResults() {
    destroyCharts();
    S.result = null;
    window.bureausim.result = null;
    if (S.lib) buildChartCards(S.lib.charts);
    $('arm-legend').hidden = true;
    $('results-key').hidden = true;
    var t = $('diff-table');
    t.textContent = '';
    t.appendChild(el('p', { class: 'hint', text: 'Run the model to see its values at year 20 here.' }));
    disableDownloads();
  }

  // Series of one chart: [{arm, kind:'metric'|'grade', metric|grade, part, color, scale}]
  function chartSpecs(def, result) {
    var specs = [];
    var armsIdx = result.arms.map(function (a, i) { return i; });
    // draw the baseline first so yours lies on top
    armsIdx.sort(function (a, b) { return (result.arms[a].name === 'yours') - (result.arms[b].name === 'yours'); });
    var units = [];
    if (def.grades) {
      var grades = Array.isArray(result.start.grades) ? result.start.grades : [];
      armsIdx.forEach(function (ai) {
        grades.forEach(function (g, gi) {
          specs.push({ arm: ai, kind: 'grade', grade: gi, label: String(g), color: PALETTE[gi % PALETTE.length], scale: 'y', unit: def.unit || 'officers' });
        });
      });
      return { specs: specs, units: [def.unit || 'officers'] };
    }
    var metrics = def.metrics || [];
    metrics.forEach(function (m) {
      var u = metricUnit(m) || def.unit || '';
      if (units.indexOf(u) < 0) units.push(u);
    });
    armsIdx.forEach(function (ai) {
      metrics.forEach(function (m, mi) {
        var u = metricUnit(m) || def.unit || '';
        var scale = units.indexOf(u) === 0 ? 'y' : 'y2';
        [0, 1, 2].forEach(function (part) {
          specs.push({ arm: ai, kind: 'metric', metric: m, part: part, label: metricLabel(m), color: PALETTE[mi % PALETTE.length], scale: scale, unit: u });
        });
      });
    });
    return { specs: specs, units: units };
  }

  function axisSize(u, values, axisIdx, cycleNum) {
    var axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var size = axis.ticks.size + axis.gap;
    var longest = (values || []).reduce(function (acc, v) { return String(v).length > acc.length ? String(v) : acc; }, '');
    if (longest !== '') {
      u.ctx.font = axis.font[0];
      size += u.ctx.measureText(longest).width / uPlot.pxRatio;
    }
    return Math.ceil(size) + 4;
  }

  function buildCharts(result) {
    destroyCharts();
    if (typeof window.uPlot !== 'function') {
      throw new Error('the chart library did not load');
    }
    var st = result.start;
    var xmin = -(isNum(st.warmup_years) ? st.warmup_years : 0);
    var xmax = isNum(st.years) ? st.years : 1;
    if (xmax <= xmin) xmax = xmin + 1;
    var compare = result.arms.length > 1;
    var fpx = fontPx();
    var font = fpx + 'px ' + FONT_STACK;
    var labelFont = 'bold ' + fpx + 'px ' + FONT_STACK;

    S.lib.charts.forEach(function (def) {
      var holder = $('chart-' + def.id);
      if (!holder) return;
      holder.textContent = '';
      var sp = chartSpecs(def, result);
      var specs = sp.specs, units = sp.units;
      var series = [{ label: 'year' }];
      var bands = [];
      specs.forEach(function (s, i) {
        var armName = result.arms[s.arm].name;
        var isBase = armName !== 'yours';
        var color = isBase ? greyish(s.color) : s.color;
        var idx = i + 1;
        if (s.kind === 'grade' || s.part === 0) {
          series.push({
            label: s.label + ' (' + armName + ')',
            scale: s.scale,
            stroke: color,
            width: isBase ? 2.5 : 3.5,
            dash: isBase ? [10, 7] : undefined,
            points: { show: false },
            spanGaps: false
          });
        } else {
          series.push({
            label: s.label + (s.part === 1 ? ' low' : ' high') + ' (' + armName + ')',
            scale: s.scale,
            stroke: 'rgba(0,0,0,0)',
            width: 1,
            points: { show: false },
            spanGaps: false
          });
          if (s.part === 2) {
            // band between hi (this series) and lo (the one before)
            bands.push({ series: [idx, idx - 1], fill: isBase ? rgba(BASELINE_GREY, 0.16) : rgba(s.color, 0.2) });
          }
        }
      });

      var yr = {}; // sticky y ranges: grow, never shrink, during a run
      function yRange(key) {
        return function (u, dmin, dmax) {
          if (!isNum(dmin) || !isNum(dmax)) return yr[key] || [0, 1];
          var prev = yr[key];
          var lo = prev ? Math.min(prev[2], dmin) : dmin;
          var hi = prev ? Math.max(prev[3], dmax) : dmax;
          var span = hi - lo;
          var pad = span > 0 ? span * 0.08 : Math.max(Math.abs(hi) * 0.1, 0.5);
          var r0 = lo - pad, r1 = hi + pad;
          if (lo >= 0 && r0 < 0) r0 = 0;
          yr[key] = [r0, r1, lo, hi];
          return [r0, r1];
        };
      }

      function yValues(unit) {
        return function (u, vals, axisIdx, space, incr) {
          var share = isShare(unit);
          var step = isNum(incr) && incr > 0 ? incr * (share ? 100 : 1) : 1;
          var d = Math.min(4, decimalsOf(Number(step.toPrecision(6))));
          return vals.map(function (v) {
            if (v === null || v === undefined) return '';
            return share ? fixed(v * 100, d) + '%' : fixed(v, d);
          });
        };
      }

      var axisCommon = {
        font: font, labelFont: labelFont, stroke: '#1a1a1a',
        grid: { stroke: 'rgba(0,0,0,0.10)', width: 1 },
        ticks: { stroke: 'rgba(0,0,0,0.35)', width: 1, size: 6 }
      };
      var axes = [
        Object.assign({}, axisCommon, {
          label: 'year', labelSize: fpx + 10, size: fpx + 18,
          incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000],
          values: function (u, vals) { return vals.map(function (v) { return String(v); }); }
        }),
        Object.assign({}, axisCommon, {
          scale: 'y', label: units[0] === 'share' ? 'share (%)' : (units[0] || ''), labelSize: fpx + 10,
          size: axisSize, values: yValues(units[0])
        })
      ];
      var scales = {
        x: { time: false, auto: false, range: function () { return [xmin, xmax]; } },
        y: { auto: true, range: yRange('y') }
      };
      if (units.length > 1) {
        scales.y2 = { auto: true, range: yRange('y2') };
        axes.push(Object.assign({}, axisCommon, {
          scale: 'y2', side: 1, grid: { show: false },
          label: units[1] === 'share' ? 'share (%)' : units[1], labelSize: fpx + 10,
          size: axisSize, values: yValues(units[1])
        }));
      }

      var chart = { def: def, specs: specs, plot: null, legendRows: [], compare: compare, holder: holder };
      var opts = {
        width: Math.max(280, holder.clientWidth || 600),
        height: chartHeight(),
        pxAlign: 0,
        scales: scales,
        axes: axes,
        series: series,
        bands: bands,
        legend: { show: false },
        cursor: {
          sync: { key: 'bureausim' },
          y: false,
          drag: { x: false, y: false, setScale: false },
          points: { size: 10, width: 2 },
          focus: { prox: -1 }
        },
        hooks: {
          drawClear: [function (u) { drawWarmup(u, xmin); }],
          draw: [function (u) { drawReforms(u, result.start.reforms || [], xmin, xmax); }],
          setCursor: [function (u) { updateLegend(chart, u.cursor.idx); }]
        }
      };
      var data = chartData(chart, result);
      chart.plot = new uPlot(opts, data, holder);
      buildLegend(chart, result);
      updateLegend(chart, null);
      S.charts.push(chart);
    });
  }

  function chartData(chart, result) {
    var data = [result.years.slice()];
    chart.specs.forEach(function (s) {
      var arm = result.arms[s.arm];
      var col;
      if (s.kind === 'grade') {
        col = arm.grades.map(function (g) { return g && isNum(g[s.grade]) ? g[s.grade] : null; });
      } else {
        var rows = arm.metrics[s.metric] || [];
        col = result.years.map(function (_, i) { var t = rows[i]; return t ? t[s.part] : null; });
      }
      data.push(col);
    });
    return data;
  }

  function queueRedraw() {
    if (S.redrawQueued) return;
    S.redrawQueued = true;
    window.requestAnimationFrame(function () {
      S.redrawQueued = false;
      redrawNow();
    });
  }

  function redrawNow() {
    if (!S.result) return;
    S.charts.forEach(function (c) {
      c.plot.setData(chartData(c, S.result));
      if (c.plot.cursor.idx === null || c.plot.cursor.idx === undefined) updateLegend(c, null);
    });
  }

  function drawWarmup(u, xmin) {
    if (!(xmin < 0)) return;
    var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
    var x0 = Math.max(b.left, u.valToPos(xmin, 'x', true));
    var x1 = Math.min(b.left + b.width, u.valToPos(0, 'x', true));
    if (!(x1 > x0)) return;
    ctx.save();
    ctx.fillStyle = 'rgba(110,110,110,0.16)';
    ctx.fillRect(x0, b.top, x1 - x0, b.height);
    var size = Math.round(fontPx() * 0.85 * pr);
    var lines = ['warm-up', '(not recorded)'];
    ctx.font = 'italic ' + size + 'px ' + FONT_STACK;
    ctx.fillStyle = '#333333';
    var w = Math.max(ctx.measureText(lines[0]).width, ctx.measureText(lines[1]).width);
    var lh = size * 1.2;
    if (w <= x1 - x0 - 8 * pr) {
      ctx.textBaseline = 'bottom';
      ctx.textAlign = 'left';
      ctx.fillText(lines[0], x0 + 4 * pr, b.top + b.height - lh - 4 * pr);
      ctx.fillText(lines[1], x0 + 4 * pr, b.top + b.height - 4 * pr);
    } else {
      // too narrow: write it upwards along the shaded strip
      var one = 'warm-up (not recorded)';
      var tw = ctx.measureText(one).width;
      if (tw > b.height - 8 * pr) {
        size = Math.max(9 * pr, Math.floor(size * (b.height - 8 * pr) / tw));
        ctx.font = 'italic ' + size + 'px ' + FONT_STACK;
      }
      ctx.translate(Math.min(x1 - 4 * pr, x0 + (x1 - x0) / 2 + size / 2), b.top + b.height - 4 * pr);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'alphabetic';
      ctx.textAlign = 'left';
      ctx.fillText(one, 0, 0);
    }
    ctx.restore();
  }

  function drawReforms(u, reforms, xmin, xmax) {
    if (!reforms.length) return;
    var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
    var size = Math.round(fontPx() * 0.85 * pr);
    ctx.save();
    ctx.font = 'bold ' + size + 'px ' + FONT_STACK;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    var rowsRight = []; // rightmost pixel used by each label row
    var sorted = reforms.filter(function (r) { return isNum(r.year) && r.year >= xmin && r.year <= xmax; })
      .slice().sort(function (a, c) { return a.year - c.year; });
    sorted.forEach(function (r) {
      var x = Math.round(u.valToPos(r.year, 'x', true));
      var mine = /your/i.test(String(r.label || ''));
      ctx.strokeStyle = mine ? '#000000' : '#444444';
      ctx.lineWidth = (mine ? 2.5 : 2) * pr;
      ctx.setLineDash([7 * pr, 5 * pr]);
      ctx.beginPath();
      ctx.moveTo(x, b.top);
      ctx.lineTo(x, b.top + b.height);
      ctx.stroke();
      ctx.setLineDash([]);
      var text = String(r.label || 'reform');
      var tw = ctx.measureText(text).width;
      var pad = 4 * pr;
      var lx = x + pad;
      if (lx + tw + pad > b.left + b.width) lx = x - pad - tw; // flip left near the right edge
      var row = 0;
      while (rowsRight[row] !== undefined && rowsRight[row] > lx - pad) row++;
      rowsRight[row] = lx + tw + pad;
      var ly = b.top + pad + row * (size + 6 * pr);
      ctx.fillStyle = 'rgba(255,255,255,0.8)';
      ctx.fillRect(lx - 2 * pr, ly - 2 * pr, tw + 4 * pr, size + 4 * pr);
      ctx.fillStyle = mine ? '#000000' : '#333333';
      ctx.fillText(text, lx, ly);
    });
    ctx.restore();
  }

  // A legend table under each chart: hover shows that year, otherwise the latest.
  function buildLegend(chart, result) {
    var box = $('chart-' + chart.def.id + '-legend');
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

  function updateLegend(chart, idx) {
    var r = S.result;
    if (!r || !chart.legendRows) return;
    var n = r.years.length;
    var hover = idx !== null && idx !== undefined && idx >= 0 && idx < n;
    var i = hover ? idx : n - 1;
    if (chart.legendYear) {
      var y = i >= 0 ? r.years[i] : null;
      chart.legendYear.textContent = y === null ? 'year —' : (y < 0 ? 'warm-up ' + y : 'year ' + y);
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

  function resizeCharts() {
    var h = chartHeight();
    S.charts.forEach(function (c) {
      var w = c.holder.clientWidth;
      if (w > 0 && (Math.abs(w - c.plot.width) > 1 || c.plot.height !== h)) c.plot.setSize({ width: w, height: h });
    });
  }

  // ---------------------------------------------------------------- table

  function renderTable(r) {
    var box = $('diff-table');
    box.textContent = '';
    var done = r.done || {};
    var rows = Array.isArray(done.table) ? done.table : [];
    var compare = r.arms.length > 1 && rows.some(function (row) { return row.baseline; });
    var reps = r.start && r.start.replicates;
    var kind = r.start && r.start.baseline ? r.start.baseline.kind : null;
    var caption = 'Year ' + (isNum(done.table_year) ? done.table_year : '?') + ': mean of ' +
      (isNum(reps) ? reps + ' replicate' + (reps === 1 ? '' : 's') : 'the replicates') +
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
      tr.appendChild(el('th', { scope: 'row' }, [label, unit && !isShare(unit) ? el('span', { class: 'unit', text: ' (' + unit + ')' }) : null]));
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
  function identicalNote(r) {
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

  // ---------------------------------------------------------------- downloads

  function fileStem() {
    var n = S.scenario ? (S.scenario.name || S.scenario.id) : 'bureausim';
    return String(n).replace(/[^A-Za-z0-9_.-]+/g, '_');
  }

  function disableDownloads() {
    var a = $('download-csv');
    a.removeAttribute('href');
    a.removeAttribute('download');
    a.setAttribute('aria-disabled', 'true');
    a.classList.add('disabled');
    var b = $('download-baseline-csv');
    b.removeAttribute('href');
    b.hidden = true;
  }

  function enableDownloads(dl) {
    var a = $('download-csv');
    if (typeof dl.csv === 'string' && dl.csv) {
      a.href = dl.csv;
      a.setAttribute('download', fileStem() + '_yours.csv');
      a.removeAttribute('aria-disabled');
      a.classList.remove('disabled');
    }
    var b = $('download-baseline-csv');
    if (typeof dl.baseline_csv === 'string' && dl.baseline_csv) {
      b.href = dl.baseline_csv;
      b.setAttribute('download', fileStem() + '_baseline.csv');
      b.hidden = false;
    }
  }

  function filenameFrom(disposition, fallback) {
    if (!disposition) return fallback;
    var m = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
    if (m) {
      try { return decodeURIComponent(m[1].trim().replace(/^"|"$/g, '')); } catch (e) { /* fall through */ }
    }
    m = /filename\s*=\s*"([^"]*)"/i.exec(disposition) || /filename\s*=\s*([^;]+)/i.exec(disposition);
    var name = m ? m[1].trim() : '';
    name = name.replace(/[\/\\]/g, '_');
    return name || fallback;
  }

  async function downloadToml() {
    var req;
    try {
      req = buildRequest(false);
    } catch (e) {
      showError(e.message);
      return;
    }
    var btn = $('download-toml');
    btn.disabled = true;
    try {
      var resp = await fetch('/api/toml', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(req)
      });
      if (!resp.ok) throw new Error(await errorFromResponse(resp));
      var text = await resp.text();
      var name = filenameFrom(resp.headers.get('Content-Disposition'), fileStem() + '_custom.toml');
      var url = URL.createObjectURL(new Blob([text], { type: 'application/toml' }));
      var a = el('a', { href: url, download: name, hidden: true });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
    } catch (e) {
      showError('Could not make the TOML file: ' + (e && e.message ? e.message : e));
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- about

  // One idea per teaching scenario; `set` is applied by the "Set it up" button.
  var IDEAS = {
    'teaching/political_transfers': {
      text: 'Political interference is set to 0.9 from year 5 (its status-quo value, 0.3, is marked on the slider). Press Compare with baseline: time in post and service delivery fall against a service left alone (look for the stars in the results table). Corruption hardly moves at 0.9: push interference to 1.0 and compare again. Another time, add Tenure protection (Postings) at 0.9: postings lengthen again, but what happens to corruption?',
      set: { 'postings.tenure_protection': 0.9 }
    },
    'teaching/rotation_and_collusion': {
      text: 'Nominal tenure is cut to 12 months from year 5. Press Compare with baseline: bribe-taking falls (collusion has no time to build) but delivery dips (officers keep learning new posts). Then try 36 months: which would you choose?',
      set: { 'postings.tenure_months': 36 }
    },
    'teaching/merit_vs_patronage': {
      text: 'From year 5, 60% of entrants are patronage appointments. Press Compare with baseline: workforce quality falls slowly, as cohorts turn over, and corruption rises. Then raise the Detection rate (Accountability) to 0.4 as well: corruption falls, but does delivery come back?',
      set: { 'accountability.detection_rate': 0.4 }
    },
    'teaching/honest_appraisals': {
      text: 'Objective appraisals and a lower appraisal bar from year 5. The charts move little here: the change is in who gets promoted. Run it, download the CSV and plot promotion_rank_correlation (do boards pick the competent?) and peter_effect (competence lost on promotion).',
      set: null
    },
    'teaching/accountability_bites': {
      text: 'Detection rises to 0.4 a year and conviction to 0.6 from year 5. Press Compare with baseline: bribe-taking falls over a few years once detection is real. Then raise the Pay level (Pay) to 1.5 as well: a better-paid job is worth more to keep, so fewer risk it.',
      set: { 'pay.level': 1.5 }
    }
  };

  function buildAbout(lib) {
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
        ml.appendChild(el('dt', { text: (m.label || prettyName(m.name)) + (m.unit ? ' (' + m.unit + ')' : '') }));
        ml.appendChild(el('dd', { text: m.about || '' }));
      });

    var ul = $('about-ideas');
    ul.textContent = '';
    lib.scenarios.filter(function (s) { return IDEAS[s.id]; }).forEach(function (s) {
      var idea = IDEAS[s.id];
      var li = el('li', {}, [el('strong', { text: prettyName(s.name || s.id) + ': ' }), idea.text + ' ']);
      var ok = idea.set && Object.keys(idea.set).every(function (k) { return S.defs[k]; });
      li.appendChild(el('button', {
        type: 'button', class: 'small',
        text: ok ? 'Set it up' : 'Pick this scenario',
        onclick: function () {
          selectScenario(s.id);
          if (ok) {
            Object.keys(idea.set).forEach(function (k) { setLever(k, idea.set[k]); });
            updateChangedSummary();
          }
          $('scenario').focus();
          $('scenario').scrollIntoView({ block: 'start', behavior: 'smooth' });
        }
      }));
      ul.appendChild(li);
    });
    var pk = lib.scenarios.find(function (s) { return /^pakistan_baseline$/.test(s.id); });
    if (pk && S.defs['politics.interference']) {
      ul.appendChild(el('li', {}, [
        el('strong', { text: 'Pakistan baseline: ' }),
        'move Political interference from 0.7 to 0.9 and compare with the baseline: time in post and delivery fall, corruption rises a little (a big service: 10 to 15 seconds with its 3 replicates, and the intervals are wide: most differences are not yet significant).'
      ]));
    }
  }

  // ---------------------------------------------------------------- wiring

  function wire() {
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
      if (Number.isInteger(y) && y >= 0) $('reform-year').max = String(y);
    });
    $('expand-all').addEventListener('click', function () {
      document.querySelectorAll('#levers details.group').forEach(function (d) { d.open = true; });
    });
    $('collapse-all').addEventListener('click', function () {
      document.querySelectorAll('#levers details.group').forEach(function (d) { d.open = false; });
    });
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

  function boot() {
    wire();
    loadLibrary();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
