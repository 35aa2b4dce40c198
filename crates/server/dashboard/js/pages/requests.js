// Requests: the tenant's request journal on this node (`/_localgraph/requests`), newest
// first, read again every 2 seconds while the page is shown.

import { api, paths, withQuery } from '../api.js';
import { card, errorBox, fmt, h, loading, metric, notice, pill } from '../dom.js';

const REFRESH_MS = 2000;
const TOP = 100;

function statusPill(entry) {
  const tone = entry.status >= 500 ? 'error' : entry.status >= 400 ? 'warning' : entry.status >= 300 ? 'info' : 'success';
  return pill(String(entry.status), tone, { dataset: { status: entry.status } });
}

function row(entry) {
  const path = entry.query ? `${entry.path}?${decodeURIComponentSafe(entry.query)}` : entry.path;
  return h('tr', { dataset: { requestId: entry.requestId } },
    h('td', { class: 'mono small', title: entry.time }, fmt.time(entry.time)),
    h('td', {}, h('span', { class: `method method-${entry.method.toLowerCase()}` }, entry.method)),
    h('td', { class: 'path', title: path }, path),
    h('td', {}, statusPill(entry)),
    h('td', { class: 'num' }, fmt.ms(entry.durationMs)),
    h('td', { class: 'flags' },
      entry.throttled && pill('throttled', 'warning'),
      entry.faulted && pill('faulted', 'error', { title: `fault rule ${entry.faultId}` }),
      entry.batchRequestId && pill('$batch', 'info', { title: `in the batch ${entry.batchRequestId}` })),
    h('td', { class: 'mono small muted', title: entry.appId || '' }, entry.appId ? entry.appId.slice(0, 8) : '–'));
}

function decodeURIComponentSafe(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function summary(entries) {
  const count = (test) => entries.filter(test).length;
  const durations = entries.map((e) => e.durationMs).sort((a, b) => a - b);
  const median = durations.length ? durations[Math.floor(durations.length / 2)] : 0;
  const chip = (label, value, name, tone) => h('div', { class: `stat ${tone ? `tone-${tone}` : ''}` },
    h('div', { class: 'stat-value' }, metric(name, value)), h('div', { class: 'stat-label' }, label));
  return h('div', { class: 'stats' },
    chip('requests shown', entries.length, 'journal.count'),
    chip('2xx', count((e) => e.status < 300), 'journal.ok', 'success'),
    chip('4xx', count((e) => e.status >= 400 && e.status < 500), 'journal.client', 'warning'),
    chip('5xx', count((e) => e.status >= 500), 'journal.server', 'error'),
    chip('throttled', count((e) => e.throttled), 'journal.throttled', 'warning'),
    chip('faulted', count((e) => e.faulted), 'journal.faulted', 'error'),
    h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, entries.length ? fmt.ms(median) : '–'), h('div', { class: 'stat-label' }, 'median duration')));
}

export function render(view) {
  const stats = h('div', { hidden: true });
  const body = h('div', {}, loading());
  const updated = h('span', { class: 'muted small', id: 'journal-updated' });
  const live = h('span', { class: 'live' }, h('span', { class: 'live-dot' }), 'Live');
  const pause = h('button', { class: 'button small', type: 'button' }, 'Pause');
  let paused = false;
  let stopped = false;
  let timer = null;

  const schedule = () => {
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  };
  async function tick() {
    if (paused || document.hidden) {
      schedule();
      return;
    }
    try {
      const page = await api.get(withQuery(paths.journal, { top: TOP }));
      if (stopped) return;
      const entries = page.value || [];
      stats.hidden = false;
      stats.replaceChildren(summary(entries));
      body.replaceChildren(entries.length
        ? h('div', { class: 'table-scroll' }, h('table', { class: 'data journal', dataset: { table: 'journal' } },
          h('thead', {}, h('tr', {}, ['Time', 'Method', 'Request', 'Status', 'Duration', '', 'App'].map((t, i) => h('th', { class: i === 4 ? 'num' : null }, t)))),
          h('tbody', {}, entries.map(row))))
        : h('div', { class: 'empty' }, 'No Graph request from this tenant has reached this node yet.'));
      updated.textContent = `updated ${fmt.time(new Date().toISOString())}`;
      schedule();
    } catch (error) {
      if (stopped) return;
      if (error.status === 404) {
        live.remove();
        pause.remove();
        stats.hidden = true;
        body.replaceChildren(notice('The request journal is not available on this server',
          'It needs the control API (GET /_localgraph/requests), which this server does not answer.'));
        return;
      }
      body.replaceChildren(errorBox(error));
      schedule();
    }
  }
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    live.classList.toggle('paused', paused);
  });

  view.append(stats, card('Request journal', {
    subtitle: `The latest ${TOP} Graph requests of this tenant to this node, newest first; refreshed every ${REFRESH_MS / 1000} s`,
    wide: true,
    actions: [updated, live, pause],
  }, body));
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
