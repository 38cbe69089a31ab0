/* Colour arithmetic: rgba from hex, and the greyed baseline arm.
 */

export const BASELINE_GREY = '#6b6b6b';

export function hexToRgb(hex) {
  var h = hex.replace('#', '');
  if (h.length === 3) h = h.split('').map(function (c) { return c + c; }).join('');
  var n = parseInt(h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgba(hex, a) {
  var c = hexToRgb(hex);
  return 'rgba(' + c[0] + ',' + c[1] + ',' + c[2] + ',' + a + ')';
}

// The baseline arm: the same hue, washed towards grey.
export function greyish(hex) {
  var c = hexToRgb(hex), g = hexToRgb(BASELINE_GREY), t = 0.6;
  var m = c.map(function (x, i) { return Math.round(x * (1 - t) + g[i] * t); });
  return '#' + m.map(function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
}

// A colour darkened towards black, for text in that colour on white
// (axis labels that match their lines).
export function darker(hex) {
  var c = hexToRgb(hex), t = 0.3;
  return '#' + c.map(function (x) { return ('0' + Math.round(x * (1 - t)).toString(16)).slice(-2); }).join('');
}
