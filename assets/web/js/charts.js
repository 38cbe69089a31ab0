/* The charts: cards, series, uPlot setup, redraws, and the warm-up and
 * reform marks.
 */

import { PALETTE } from './palette.js';
import { S } from './state.js';
import { $, el } from './dom.js';
import { decimalsOf, fixed, isNum, isShare, metricLabel, metricUnit, prettyName, startsAtZero } from './format.js';
import { BASELINE_GREY, darker, greyish, rgba } from './colors.js';
import { buildLegend, updateLegend } from './legend.js';
import { disableDownloads } from './downloads.js';

export const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';

export function buildChartCards(charts) {
  var grid = $('chart-grid');
  grid.textContent = '';
  charts.forEach(function (c, i) {
    var cid = 'chart-' + c.id;
    var title = c.title || prettyName(c.id);
    var metricsLine = c.grades ? 'mean headcount of each grade' :
      (c.metrics || []).map(metricLabel).join(' · ');
    var card = el('figure', { class: 'chart-card', id: 'card-' + c.id, 'data-chart': c.id, 'aria-labelledby': cid + '-title', tabindex: '-1' }, [
      el('figcaption', {}, [
        el('div', { class: 'chart-head' }, [
          el('h3', { id: cid + '-title', text: title }),
          el('span', { class: 'chart-unit', text: c.unit ? '(' + c.unit + ')' : '' }),
          el('button', {
            type: 'button', class: 'small present-one', 'data-present': String(i),
            'aria-label': 'Present the ' + title + ' chart large', title: 'Show this chart large (present mode)',
            text: 'Present'
          })
        ]),
        el('p', { class: 'chart-about', text: c.about || metricsLine, title: c.about || metricsLine })
      ]),
      el('div', { class: 'chart', id: cid, role: 'img', 'aria-label': title + ': ' + metricsLine }, [
        el('p', { class: 'placeholder', text: PLACEHOLDER })
      ]),
      el('div', { class: 'chart-legend', id: cid + '-legend' })
    ]);
    grid.appendChild(card);
  });
}

export const PLACEHOLDER = 'Press Run to watch this chart fill in year by year.';

// Whether the charts stand one to a row (projectors, laptops): then each
// is drawn tall enough to read from the back of a room.
export function oneColumn() {
  var grid = $('chart-grid');
  var first = grid && grid.firstElementChild;
  return !!first && first.getBoundingClientRect().width > 0.75 * grid.getBoundingClientRect().width;
}

// The height of a chart `width` pixels wide on the page.
export function chartHeight(width) {
  var h = window.innerHeight || 800;
  if (oneColumn()) {
    // One large chart at a time: about half the window, never flatter
    // than 2:1 nor taller than the chart is wide times 0.6.
    return Math.round(Math.max(220, Math.min(460, h * 0.5, (width || 800) * 0.6)));
  }
  return Math.round(Math.max(200, Math.min(380, h * 0.3)));
}

// Axis font size in CSS pixels, times `scale` (present mode draws larger).
export function fontPx(scale) {
  var fs = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.round(fs * 0.8 * (scale || 1));
}

export function destroyCharts() {
  S.charts.forEach(function (c) { try { c.plot.destroy(); } catch (e) { /* ignore */ } });
  S.charts = [];
}

// Functions called when the charts are built or cleared (present mode).
export const chartListeners = [];

function tellListeners() {
  chartListeners.forEach(function (f) { f(); });
}

export function tableYear() {
  var y = Number($('years').value);
  return Number.isInteger(y) && y > 0 ? Math.min(20, y) : 20;
}

// The results table's year before a run: 20, or the run's last year when
// the run is shorter (the server's `table_year`).
export function showTableYear(year) {
  $('table-year').textContent = 'at year ' + year;
  var hint = $('diff-table').querySelector('.hint.before-run');
  if (hint) hint.textContent = 'Run the model to see its values at year ' + year + ' here.';
}

export function clearResults() {
  destroyCharts();
  S.result = null;
  window.bureausim.result = null;
  if (S.lib) buildChartCards(S.lib.charts);
  $('arm-legend').hidden = true;
  $('results-key').hidden = true;
  var t = $('diff-table');
  t.textContent = '';
  t.appendChild(el('p', { class: 'hint before-run' }));
  showTableYear(tableYear());
  disableDownloads();
  tellListeners();
}

// Series of one chart: [{arm, kind:'metric'|'grade', metric|grade, part, color, scale}]
export function chartSpecs(def, result) {
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

export function axisSize(u, values, axisIdx, cycleNum) {
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

export function buildCharts(result) {
  destroyCharts();
  if (typeof window.uPlot !== 'function') {
    throw new Error('the chart library did not load');
  }
  var large = oneColumn(); // one chart to a row: slightly larger type
  S.lib.charts.forEach(function (def) {
    var holder = $('chart-' + def.id);
    if (!holder) return;
    var width = Math.max(280, holder.clientWidth || 600);
    S.charts.push(makeChart(def, result, holder, $('chart-' + def.id + '-legend'), {
      width: width, height: chartHeight(width), sync: true, scale: large ? 1.1 : 1
    }));
  });
  tellListeners();
}

// One chart of `def` for `result` in `holder`, its legend in `legendBox`:
// {def, specs, plot, holder, legendBox, ...}. opts: width, height, scale
// (of the fonts and lines; 1 on the page), sync (the page's charts share
// the hovered year).
export function makeChart(def, result, holder, legendBox, opts) {
  var scale = opts.scale || 1;
  var st = result.start;
  var xmin = -(isNum(st.warmup_years) ? st.warmup_years : 0);
  var xmax = isNum(st.years) ? st.years : 1;
  if (xmax <= xmin) xmax = xmin + 1;
  var compare = result.arms.length > 1;
  var fpx = fontPx(scale);
  var font = fpx + 'px ' + FONT_STACK;
  var labelFont = 'bold ' + fpx + 'px ' + FONT_STACK;
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
        width: (isBase ? 2.5 : 3.5) * Math.sqrt(scale),
        dash: isBase ? [10 * scale, 7 * scale] : undefined,
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
  function yRange(key, unit) {
    return function (u, dmin, dmax) {
      if (!isNum(dmin) || !isNum(dmax)) return yr[key] || [0, 1];
      var prev = yr[key];
      var lo = prev ? Math.min(prev[2], dmin) : dmin;
      var hi = prev ? Math.max(prev[3], dmax) : dmax;
      var span = hi - lo;
      var pad = span > 0 ? span * 0.08 : Math.max(Math.abs(hi) * 0.1, 0.5);
      var r0 = lo - pad, r1 = hi + pad;
      // Shares and counts start at zero so that small gaps do not look
      // large; other scales (scores, ratios) keep their range and say
      // "axis cut" in their label (axisLabel).
      if (lo >= 0 && (r0 < 0 || startsAtZero(unit))) r0 = 0;
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

  // With two units each axis takes the colour of its lines, so that a
  // reader can tell which scale a line is read on.
  function unitColor(k) {
    if (units.length < 2) return '#1a1a1a';
    var s = specs.find(function (x) { return x.unit === units[k] && result.arms[x.arm].name === 'yours'; });
    return s ? darker(s.color) : '#1a1a1a';
  }
  function axisLabel(unit, key) {
    var text = unit === 'share' ? 'share (%)' : (unit || '');
    // uPlot calls a label function at each draw, after the range is set
    return function (u) {
      var sc = u.scales[key];
      return sc && isNum(sc.min) && sc.min > 0 ? (text ? text + ' (axis cut)' : 'axis cut') : text;
    };
  }

  var axisCommon = {
    font: font, labelFont: labelFont, stroke: '#1a1a1a',
    grid: { stroke: 'rgba(0,0,0,0.10)', width: 1 },
    ticks: { stroke: 'rgba(0,0,0,0.35)', width: 1, size: Math.round(6 * scale) }
  };
  var axes = [
    Object.assign({}, axisCommon, {
      label: 'year', labelSize: fpx + 10, size: fpx + Math.round(18 * scale),
      incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000],
      values: function (u, vals) { return vals.map(function (v) { return String(v); }); }
    }),
    Object.assign({}, axisCommon, {
      scale: 'y', label: axisLabel(units[0], 'y'), labelSize: fpx + 10, stroke: unitColor(0),
      size: axisSize, values: yValues(units[0])
    })
  ];
  var scales = {
    x: { time: false, auto: false, range: function () { return [xmin, xmax]; } },
    y: { auto: true, range: yRange('y', units[0]) }
  };
  if (units.length > 1) {
    scales.y2 = { auto: true, range: yRange('y2', units[1]) };
    axes.push(Object.assign({}, axisCommon, {
      scale: 'y2', side: 1, grid: { show: false }, stroke: unitColor(1),
      label: axisLabel(units[1], 'y2'), labelSize: fpx + 10,
      size: axisSize, values: yValues(units[1])
    }));
  }

  var chart = {
    def: def, specs: specs, plot: null, legendRows: [], compare: compare,
    holder: holder, legendBox: legendBox, scale: scale
  };
  var plotOpts = {
    width: opts.width,
    height: opts.height,
    pxAlign: 0,
    scales: scales,
    axes: axes,
    series: series,
    bands: bands,
    legend: { show: false },
    cursor: {
      sync: opts.sync ? { key: 'bureausim' } : undefined,
      y: false,
      drag: { x: false, y: false, setScale: false },
      points: { size: 10 * scale, width: 2 * scale },
      focus: { prox: -1 }
    },
    hooks: {
      drawClear: [function (u) { drawWarmup(u, xmin, scale); }],
      draw: [function (u) { drawReforms(u, result.start.reforms || [], xmin, xmax, scale); }],
      setCursor: [function (u) { updateLegend(chart, u.cursor.idx); }]
    }
  };
  var data = chartData(chart, result);
  chart.plot = new uPlot(plotOpts, data, holder);
  buildLegend(chart, result);
  updateLegend(chart, null);
  return chart;
}

export function chartData(chart, result) {
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

export function queueRedraw() {
  if (S.redrawQueued) return;
  S.redrawQueued = true;
  window.requestAnimationFrame(function () {
    S.redrawQueued = false;
    redrawNow();
  });
}

export function redrawNow() {
  if (!S.result) return;
  S.charts.concat(S.presented ? [S.presented] : []).forEach(function (c) {
    c.plot.setData(chartData(c, S.result));
    if (c.plot.cursor.idx === null || c.plot.cursor.idx === undefined) updateLegend(c, null);
  });
}

export function drawWarmup(u, xmin, scale) {
  if (!(xmin < 0)) return;
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  var x0 = Math.max(b.left, u.valToPos(xmin, 'x', true));
  var x1 = Math.min(b.left + b.width, u.valToPos(0, 'x', true));
  if (!(x1 > x0)) return;
  ctx.save();
  ctx.fillStyle = 'rgba(110,110,110,0.16)';
  ctx.fillRect(x0, b.top, x1 - x0, b.height);
  var size = Math.round(fontPx(scale) * 0.85 * pr);
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

export function drawReforms(u, reforms, xmin, xmax, scale) {
  if (!reforms.length) return;
  var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio;
  var size = Math.round(fontPx(scale) * 0.85 * pr);
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
    ctx.lineWidth = (mine ? 2.5 : 2) * pr * Math.sqrt(scale || 1);
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

export function resizeCharts() {
  S.charts.forEach(function (c) {
    var w = c.holder.clientWidth;
    var h = chartHeight(w);
    if (w > 0 && (Math.abs(w - c.plot.width) > 1 || c.plot.height !== h)) c.plot.setSize({ width: w, height: h });
  });
}
