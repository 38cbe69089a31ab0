/* The CSV and scenario (TOML) downloads.
 */

import { S } from './state.js';
import { $, el, showError } from './dom.js';
import { buildRequest, errorFromResponse } from './api.js';

// The stem of the files of the last run, as the server names them
// (docs/serve.md, "Download names"): the scenario and the run's settings,
// e.g. political_transfers_25y_10rep_seed20251024_reform5_custom. Null before a run.
export function fileStem() {
  var st = S.result && S.result.start;
  return st && typeof st.stem === 'string' && st.stem ? st.stem : null;
}

// Where the scenario name alone has to do: a TOML whose response carried
// no file name (the server always sends one).
function scenarioStem() {
  var n = S.scenario ? (S.scenario.name || S.scenario.id) : 'bureausim';
  return String(n).replace(/[^A-Za-z0-9_-]+/g, '_');
}

export function disableDownloads() {
  var a = $('download-csv');
  a.removeAttribute('href');
  a.removeAttribute('download');
  a.removeAttribute('title');
  a.setAttribute('aria-disabled', 'true');
  a.classList.add('disabled');
  var b = $('download-baseline-csv');
  b.removeAttribute('href');
  b.hidden = true;
}

// The download links of a finished run, named as the server names the
// files (its Content-Disposition), so that a saved file says which
// scenario and settings it holds whichever way the browser saves it.
export function enableDownloads(dl) {
  var stem = fileStem() || scenarioStem();
  var a = $('download-csv');
  if (typeof dl.csv === 'string' && dl.csv) {
    var name = typeof dl.csv_name === 'string' && dl.csv_name ? dl.csv_name : stem + '_yours.csv';
    a.href = dl.csv;
    a.setAttribute('download', name);
    a.title = 'Saves ' + name;
    a.removeAttribute('aria-disabled');
    a.classList.remove('disabled');
  }
  var b = $('download-baseline-csv');
  if (typeof dl.baseline_csv === 'string' && dl.baseline_csv) {
    var bname = typeof dl.baseline_csv_name === 'string' && dl.baseline_csv_name ? dl.baseline_csv_name : stem + '_baseline.csv';
    b.href = dl.baseline_csv;
    b.setAttribute('download', bname);
    b.title = 'Saves ' + bname;
    b.hidden = false;
  }
}

export function filenameFrom(disposition, fallback) {
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

export async function downloadToml() {
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
    var name = filenameFrom(resp.headers.get('Content-Disposition'), scenarioStem() + '.toml');
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
