/* Talking to the server: error messages from responses, the run request
 * read from the form, and Server-Sent Events read over fetch.
 */

import { S } from './state.js';
import { $ } from './dom.js';
import { changedLevers } from './levers.js';

export async function errorFromResponse(resp) {
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

export function readInt(id, field) {
  var input = $(id);
  var t = String(input.value).trim();
  var lo = input.min, hi = input.max;
  var range = (lo !== '' ? lo : '?') + ' to ' + (hi !== '' ? hi : '?');
  if (t === '') throw new Error(field + ': enter a whole number from ' + range + '.');
  var v = Number(t);
  if (!Number.isInteger(v)) throw new Error(field + ': "' + t + '" is not a whole number (allowed: ' + range + ').');
  return v;
}

export function buildRequest(compare) {
  if (!S.scenario) throw new Error('no scenario chosen yet.');
  var levers = changedLevers();
  var req = {
    scenario: S.scenario.id,
    levers: levers,
    replicates: readInt('replicates', 'replicates'),
    years: readInt('years', 'years')
  };
  // The reform year is that of your lever changes: without any, it is not
  // sent (a shortened run would otherwise be refused for a year not used).
  if (Object.keys(levers).length) req.reform_year = readInt('reform-year', 'reform_year');
  if (compare !== undefined) req.compare = !!compare;
  req.keep_reforms = !!$('own-reforms').checked;
  if ($('plausible') && $('plausible').checked) req.plausible = true;
  if (compare) req.baseline = $('baseline').value === 'as_is' ? 'as_is' : 'status_quo';
  return req;
}

// Server-Sent Events over fetch: "event:" and "data:" lines, a blank line
// ends an event. onEvent returns false to stop reading.
export async function readEvents(body, onEvent) {
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
