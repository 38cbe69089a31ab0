/* A run: starting, streaming, stopping and failing, and the stream's
 * events (start, year, done).
 */

import { S } from './state.js';
import { $, clearError, setState, setStatus, showError } from './dom.js';
import { fixed, isNum, num } from './format.js';
import { buildRequest, errorFromResponse, readEvents } from './api.js';
import { buildCharts, clearResults, queueRedraw, redrawNow } from './charts.js';
import { renderTable } from './table.js';
import { enableDownloads } from './downloads.js';
import { yearText } from './legend.js';

export function setRunning(on) {
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

export function abortRun() {
  if (S.controller) {
    try { S.controller.abort(); } catch (e) { /* ignore */ }
    S.controller = null;
  }
  S.runToken++;
  setRunning(false);
}

export async function startRun(compare) {
  if (!S.lib || !S.scenario) return;
  abortRun();
  clearError();
  var req;
  try {
    req = buildRequest(compare);
  } catch (e) {
    // The user's own input, worded as the server's refusals (400) are.
    failRun(e.message, 'Please check the settings:');
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

export function failRun(message, title) {
  if (S.controller) { try { S.controller.abort(); } catch (e) { /* ignore */ } }
  S.controller = null;
  S.runToken++;
  setRunning(false);
  var p = $('progress');
  if (!p.hasAttribute('value')) p.value = 0;
  setStatus(title ? 'Not run: check the settings.' : 'failed');
  showError(message, title);
}

export function onEvent(name, text, finished) {
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

export function onStart(st) {
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
  showFirstChart();
}

// Brings the first chart into view when a run starts, if it is not: the
// results pane to its top (wide windows, where it scrolls on its own), or
// the page to the charts (narrow ones, where the charts follow the
// controls).
export function showFirstChart() {
  var first = $('chart-grid').firstElementChild;
  if (!first) return;
  var r = first.getBoundingClientRect();
  if (r.top >= 0 && r.bottom <= window.innerHeight) return;
  var pane = $('charts');
  if (window.getComputedStyle(pane).overflowY === 'auto') pane.scrollTop = 0;
  else pane.scrollIntoView({ block: 'start' });
}

export function onYear(ev) {
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

// What the baseline arm is, as the server describes it.
export function baselineAbout(st) {
  var b = st && st.baseline;
  return b && typeof b.about === 'string' && b.about ? b.about : 'the baseline';
}

export function onDone(done) {
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

export function stopRun() {
  var r = S.result;
  abortRun();
  var y = r && r.years.length ? r.years[r.years.length - 1] : null;
  setStatus(y === null ? 'stopped' : 'stopped at ' + yearText(y));
  setState('idle');
}
