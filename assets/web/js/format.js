/* Numbers and names as people read them: shares as percentages, lever
 * values, metric labels and units.
 */

import { S } from './state.js';

export function prettyName(name) {
  var s = String(name || '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isNum(v) { return typeof v === 'number' && isFinite(v); }

export function decimalsOf(x) {
  if (!isNum(x)) return 0;
  var s = String(x);
  if (s.indexOf('e-') >= 0) return Math.min(6, parseInt(s.split('e-')[1], 10) || 0);
  var i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

export const nfCache = {};

export function fixed(v, digits) {
  digits = Math.max(0, Math.min(6, digits | 0));
  if (!nfCache[digits]) {
    nfCache[digits] = new Intl.NumberFormat('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  return nfCache[digits].format(v);
}

export function isShare(unit) { return unit === 'share'; }
// Shares and counts (unit "", "per year" or "officers") start their axis at zero.
export function startsAtZero(unit) { return unit === 'share' || unit === '' || unit === 'per year' || unit === 'officers'; }

// The unit a measure is shown in and the factor from its stored one:
// bills are stored in million PKR and shown, as in the reports, in billion
// PKR a year (an audit: the page said million where the reports said
// billion).
export function shownUnit(unit) {
  if (unit === 'million PKR') return { unit: 'billion PKR a year', factor: 0.001 };
  return { unit: unit, factor: 1 };
}

// A measure's value as people read it: shares as percentages, bills in
// billions.
export function fmtValue(v, unit, opts) {
  if (!isNum(v)) return '—';
  opts = opts || {};
  var sh = shownUnit(unit);
  v *= sh.factor;
  var sign = opts.signed && v > 0 ? '+' : '';
  if (isShare(unit)) {
    var p = v * 100;
    return sign + fixed(p, Math.abs(p) >= 10 ? 1 : 2) + (opts.signed ? ' pp' : '%');
  }
  var a = Math.abs(v);
  var d = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 1 : a >= 1 ? 2 : a === 0 ? 0 : 3;
  return sign + fixed(v, d);
}

export function unitSuffix(unit) {
  if (!unit || unit === 'share' || unit === 'probability' || /^[-0-9.]/.test(unit)) return '';
  if (unit === 'x' || unit === '×') return '×';
  return ' ' + unit;
}

export function fmtLever(v, def) {
  if (def.kind === 'bool') return v ? 'on' : 'off';
  if (def.kind === 'choice') return String(v).replace(/_/g, ' ');
  if (!isNum(v)) return '—';
  var d = Math.min(4, Math.max(decimalsOf(def.step), decimalsOf(v)));
  var suffix = unitSuffix(def.unit);
  return fixed(v, d) + (suffix === '×' ? '×' : suffix);
}

export function sameValue(a, b, def) {
  if (def && def.kind === 'number') {
    if (!isNum(a) || !isNum(b)) return a === b;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

export function metricLabel(name) { return (S.metricInfo[name] && S.metricInfo[name].label) || prettyName(name); }

export function metricUnit(name) { return (S.metricInfo[name] && S.metricInfo[name].unit) || ''; }

export function num(v) { return isNum(v) ? v : null; }
