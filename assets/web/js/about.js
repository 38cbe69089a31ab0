/* The About panel: the model in brief and one idea per teaching scenario.
 */

import { S } from './state.js';
import { $, el } from './dom.js';
import { metricLabel, prettyName } from './format.js';
import { setLever, updateChangedSummary } from './levers.js';
import { selectScenario } from './scenario.js';

// One idea per teaching scenario; `set` is applied by the "Set it up" button.
export const IDEAS = {
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

export function buildAbout(lib) {
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
    var li = el('li', {}, [el('strong', { text: (s.title || prettyName(s.name || s.id)) + ': ' }), idea.text + ' ']);
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
