// Building the page: elements from data (text is always set as text, never parsed as
// HTML), number and date formats, and the blocks every page uses.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(element, props, children) {
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.setAttribute('class', value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in element) element.value = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** An HTML element: `h('div', {class: 'x'}, child, …)`. */
export function h(tag, props, ...children) {
  return fill(document.createElement(tag), props, children);
}

/** An SVG element, like `h`. */
export function s(tag, props, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), props, children);
}

const numbers = new Intl.NumberFormat('en-US');
const dates = new Intl.DateTimeFormat('en-US', {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC',
});
const clock = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

export const fmt = {
  /** 12,345 */
  number: (n) => numbers.format(n),
  /** 42% (of `total`; '–' when there is none) */
  percent: (n, total) => (total > 0 ? `${Math.round((100 * n) / total)}%` : '–'),
  /** Nov 29, 2026, 14:03 UTC */
  date: (iso) => (iso ? `${dates.format(new Date(iso))} UTC` : '–'),
  /** 14:03:07.123 (local time) */
  time: (iso) => {
    const date = new Date(iso);
    return `${clock.format(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
  },
  /** 3 h ago, 12 d ago */
  ago: (iso, now = Date.now()) => {
    if (!iso) return '–';
    const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
    if (seconds < 0) return 'in the future';
    if (seconds < 90) return `${seconds} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  },
  /** 1.25 ms */
  ms: (n) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`,
};

/** A number that the browser test compares with the API: `data-metric` names it. */
export function metric(name, value, props = {}) {
  return h('span', { ...props, class: `num ${props.class || ''}`.trim(), dataset: { metric: name } }, fmt.number(value));
}

/** A white card with a title, an optional subtitle and actions on the right. */
export function card(title, { subtitle, actions, id, wide } = {}, ...body) {
  return h('section', { class: wide ? 'card wide' : 'card', id },
    title && h('header', { class: 'card-head' },
      h('div', {}, h('h2', {}, title), subtitle && h('p', { class: 'muted' }, subtitle)),
      actions && h('div', { class: 'card-actions' }, actions)),
    h('div', { class: 'card-body' }, body));
}

/** A key figure: label, big number, a line below. */
export function kpi(label, value, { name, sub, tone } = {}) {
  return h('div', { class: `kpi ${tone ? `tone-${tone}` : ''}` },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, name ? metric(name, value) : value),
    sub && h('div', { class: 'kpi-sub' }, sub));
}

/** A small coloured label. */
export function pill(text, tone = 'neutral', props = {}) {
  return h('span', { ...props, class: `pill pill-${tone}` }, text);
}

/** A colour swatch for legends. */
export function swatch(color) {
  const svg = s('svg', { class: 'swatch', viewBox: '0 0 10 10', width: 10, height: 10, 'aria-hidden': 'true' });
  svg.append(s('rect', { width: 10, height: 10, rx: 2.5, fill: color }));
  return svg;
}

/** A placeholder while something loads. */
export function loading(text = 'Loading…') {
  return h('div', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** What to tell the user about an API error, by its status. */
function hint(error) {
  switch (error.status) {
    case 401: return 'The token was refused: sign in again with a valid token.';
    case 403: return 'The token lacks a permission this view needs.';
    case 429: return error.retryAfter
      ? `Throttled: the server asks to retry after ${error.retryAfter} s.`
      : 'Throttled: retry in a moment.';
    case 0: return 'Is the server running?';
    default: return error.status >= 500 ? 'The server failed to answer this request.' : '';
  }
}

/** An API error as the page shows it: status, Graph code and message, request id. */
export function errorBox(error, { retry } = {}) {
  const status = error.status ? `${error.status} ` : '';
  return h('div', { class: 'alert alert-error', role: 'alert', dataset: { status: error.status ?? '' } },
    h('div', { class: 'alert-title' }, `${status}${error.code || 'Error'}`),
    h('div', { class: 'alert-message' }, error.message),
    hint(error) && h('div', { class: 'alert-hint' }, hint(error)),
    error.requestId && h('div', { class: 'alert-meta' }, `request-id ${error.requestId}`),
    retry && h('button', { class: 'button small', type: 'button', onclick: retry }, 'Try again'));
}

/** A quiet notice (a feature this server does not have, nothing to show). */
export function notice(title, text) {
  return h('div', { class: 'alert alert-info', dataset: { notice: 'true' } },
    h('div', { class: 'alert-title' }, title), text && h('div', { class: 'alert-message' }, text));
}

/** Replaces `container`'s content with what `produce()` resolves to, showing a placeholder
 * meanwhile and the error if it fails (with a retry button). */
export async function fillWith(container, produce) {
  container.replaceChildren(loading());
  try {
    container.replaceChildren(await produce());
  } catch (error) {
    if (!('status' in error)) console.error(error);
    container.replaceChildren(errorBox(error, { retry: () => fillWith(container, produce) }));
  }
}
