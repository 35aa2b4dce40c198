// Charts drawn as SVG by this file: a donut with its legend, bars, and a stacked bar.
// Each number in a legend carries `data-metric` so the browser test can compare it with
// the API.

import { fmt, h, metric, s, swatch } from './dom.js';

const RADIUS = 52;
const STROKE = 18;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/** A donut of `segments` ({label, value, color, name}) with the total in the middle and a
 * legend of counts and shares beside it. */
export function donut(segments, { total, centerLabel = 'total', totalName } = {}) {
  const sum = total ?? segments.reduce((acc, segment) => acc + segment.value, 0);
  const svg = s('svg', { class: 'donut', viewBox: '0 0 140 140', role: 'img', 'aria-label': centerLabel });
  svg.append(s('circle', { cx: 70, cy: 70, r: RADIUS, fill: 'none', stroke: '#eef1f5', 'stroke-width': STROKE }));
  let offset = 0;
  for (const segment of segments) {
    if (segment.value <= 0 || sum <= 0) continue;
    const length = (segment.value / sum) * CIRCUMFERENCE;
    const arc = s('circle', {
      cx: 70, cy: 70, r: RADIUS, fill: 'none', stroke: segment.color, 'stroke-width': STROKE,
      'stroke-dasharray': `${length} ${CIRCUMFERENCE - length}`,
      'stroke-dashoffset': String(-offset), transform: 'rotate(-90 70 70)',
    });
    arc.append(s('title', {}, `${segment.label}: ${fmt.number(segment.value)}`));
    svg.append(arc);
    offset += length;
  }
  svg.append(
    s('text', {
      x: 70, y: 68, 'text-anchor': 'middle', class: 'donut-total', dataset: totalName ? { metric: totalName } : null,
    }, fmt.number(sum)),
    s('text', { x: 70, y: 88, 'text-anchor': 'middle', class: 'donut-label' }, centerLabel),
  );
  return h('div', { class: 'donut-chart' }, svg, legend(segments, sum));
}

/** A legend: swatch, label, count, share of `total`. */
export function legend(segments, total) {
  return h('table', { class: 'legend' },
    h('tbody', {}, segments.map((segment) => h('tr', {},
      h('td', {}, swatch(segment.color)),
      h('td', { class: 'legend-label' }, segment.label),
      h('td', { class: 'legend-value' }, segment.name ? metric(segment.name, segment.value) : fmt.number(segment.value)),
      h('td', { class: 'legend-share muted' }, fmt.percent(segment.value, total))))));
}

/** One horizontal bar split into `segments` ({label, value, color}). */
export function stackedBar(segments, { height = 14 } = {}) {
  const total = segments.reduce((acc, segment) => acc + segment.value, 0);
  const svg = s('svg', {
    class: 'stacked', width: '100%', height, role: 'img',
    'aria-label': segments.map((segment) => `${segment.label} ${segment.value}`).join(', '),
  });
  if (total <= 0) {
    svg.append(s('rect', { width: '100%', height, rx: height / 2, fill: '#eef1f5' }));
    return svg;
  }
  // A clip path rounds the ends of the whole bar, whatever segments it has.
  const clip = `clip-${Math.random().toString(36).slice(2)}`;
  svg.append(s('clipPath', { id: clip }, s('rect', { width: '100%', height, rx: height / 2 })));
  const group = s('g', { 'clip-path': `url(#${clip})` });
  let x = 0;
  for (const segment of segments) {
    if (segment.value <= 0) continue;
    const width = (100 * segment.value) / total;
    const rect = s('rect', { x: `${x}%`, width: `${width}%`, height, fill: segment.color });
    rect.append(s('title', {}, `${segment.label}: ${fmt.number(segment.value)} (${fmt.percent(segment.value, total)})`));
    group.append(rect);
    x += width;
  }
  svg.append(group);
  return svg;
}

/** Rows of label, bar (scaled to the largest value) and value. */
export function bars(items, { color = '#2563eb' } = {}) {
  const max = Math.max(1, ...items.map((item) => item.value));
  return h('div', { class: 'bars' }, items.map((item) => {
    const svg = s('svg', { class: 'bar', width: '100%', height: 10, 'aria-hidden': 'true' });
    svg.append(s('rect', { width: '100%', height: 10, rx: 5, fill: '#eef1f5' }));
    if (item.value > 0) {
      svg.append(s('rect', { width: `${Math.max(1, (100 * item.value) / max)}%`, height: 10, rx: 5, fill: item.color || color }));
    }
    return h('div', { class: 'bar-row' },
      h('span', { class: 'bar-label' }, item.label),
      svg,
      h('span', { class: 'bar-value' }, item.name ? metric(item.name, item.value) : fmt.number(item.value)));
  }));
}

/** A small "done of total" meter: a bar and "3 / 4". */
export function meter(done, failed, total) {
  const svg = s('svg', { class: 'meter', width: 64, height: 6, 'aria-hidden': 'true' });
  svg.append(s('rect', { width: 64, height: 6, rx: 3, fill: '#eef1f5' }));
  if (total > 0) {
    svg.append(s('rect', { width: (64 * done) / total, height: 6, rx: 3, fill: '#16a34a' }));
    if (failed > 0) {
      svg.append(s('rect', { x: (64 * done) / total, width: (64 * failed) / total, height: 6, fill: '#dc2626' }));
    }
  }
  return svg;
}
