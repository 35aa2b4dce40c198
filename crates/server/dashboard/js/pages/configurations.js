// Configurations: each app configuration's device and user status summaries, and for the
// selected one its device or user statuses, filtered by status and read a page at a time.

import { api, paths, withQuery } from '../api.js';
import { stackedBar } from '../charts.js';
import { card, errorBox, fillWith, fmt, h, loading, metric, pill, swatch } from '../dom.js';
import { CONFIGURATION_COUNTS, CONFIGURATION_STATUSES, lookup } from '../fleet.js';
import { pagedTable } from '../table.js';

const TYPES = {
  '#microsoft.graph.iosMobileAppConfiguration': 'iOS/iPadOS',
  '#microsoft.graph.androidManagedStoreAppConfiguration': 'Android Enterprise',
};

function typeOf(configuration) {
  return TYPES[configuration['@odata.type']] || (configuration['@odata.type'] || '').replace('#microsoft.graph.', '');
}

function segments(summary) {
  return CONFIGURATION_COUNTS.map((c) => ({ label: c.label, value: (summary || {})[c.property] || 0, color: c.color }));
}

function configurationCard(configuration) {
  const devices = configuration.deviceStatusSummary || {};
  const users = configuration.userStatusSummary || {};
  const total = (summary) => segments(summary).reduce((a, b) => a + b.value, 0);
  const id = configuration.id;
  const updated = devices.lastUpdateDateTime && devices.lastUpdateDateTime > '0001-01-02' ? devices.lastUpdateDateTime : null;
  return h('section', { class: 'card config', dataset: { configuration: id } },
    h('header', { class: 'card-head' },
      h('div', {},
        h('h2', {}, configuration.displayName),
        h('p', { class: 'muted' }, `${typeOf(configuration)} · version ${configuration.version}`,
          updated ? ` · reported ${fmt.ago(updated)}` : '')),
      h('div', { class: 'card-actions' },
        h('a', { class: 'button small', href: `#/configurations/${id}` }, 'Statuses ›'))),
    h('div', { class: 'card-body' },
      h('div', { class: 'summary-row' },
        h('div', { class: 'summary-row-head' }, h('strong', {}, 'Devices'), h('span', { class: 'muted' }, `${fmt.number(total(devices))} reported`)),
        stackedBar(segments(devices), { height: 12 })),
      h('div', { class: 'summary-row' },
        h('div', { class: 'summary-row-head' }, h('strong', {}, 'Users'), h('span', { class: 'muted' }, `${fmt.number(total(users))} reported`)),
        stackedBar(segments(users), { height: 12 })),
      h('table', { class: 'legend legend-columns compact' },
        h('thead', {}, h('tr', {}, h('th'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Devices'), h('th', { class: 'num' }, 'Users'))),
        h('tbody', {}, CONFIGURATION_COUNTS.map((c) => h('tr', {},
          h('td', {}, swatch(c.color)),
          h('td', { class: 'legend-label' }, c.label),
          h('td', { class: 'legend-value' }, metric(`config.${id}.device.${c.property}`, devices[c.property] || 0)),
          h('td', { class: 'legend-value' }, metric(`config.${id}.user.${c.property}`, users[c.property] || 0))))))));
}

/** Every configuration as a card; more are read when asked for (`@odata.nextLink`). */
function list(container) {
  const grid = h('div', { class: 'grid two' });
  const more = h('div', { class: 'more' });
  container.replaceChildren(grid, more);
  const load = async (url) => {
    more.replaceChildren(loading());
    try {
      const page = await api.get(url);
      grid.append(...page.value.map(configurationCard));
      if (!grid.children.length) grid.replaceWith(h('div', { class: 'empty' }, 'No app configurations in this tenant.'));
      const next = page['@odata.nextLink'];
      more.replaceChildren(next ? h('button', { class: 'button', type: 'button', onclick: () => load(next) }, 'Show more') : '');
    } catch (error) {
      more.replaceChildren(errorBox(error, { retry: () => load(url) }));
    }
  };
  load(withQuery(paths.configurations, {
    $select: 'id,displayName,version,lastModifiedDateTime',
    $expand: 'deviceStatusSummary,userStatusSummary',
    $top: 20,
  }));
}

const VIEWS = {
  deviceStatuses: {
    label: 'Device statuses',
    columns: [
      { title: 'Device', cell: (row) => h('div', {}, h('div', { class: 'strong' }, row.deviceDisplayName || '–'), h('div', { class: 'muted small' }, row.deviceModel || '')) },
      { title: 'User', cell: (row) => row.userPrincipalName || '–' },
    ],
  },
  userStatuses: {
    label: 'User statuses',
    columns: [
      { title: 'User', cell: (row) => h('div', {}, h('div', { class: 'strong' }, row.userDisplayName || '–'), h('div', { class: 'muted small' }, row.userPrincipalName || '')) },
      { title: 'Devices', class: 'num', cell: (row) => fmt.number(row.devicesCount || 0) },
    ],
  },
};

function statuses(container, id) {
  const heading = h('div');
  const kind = h('select', { id: 'status-kind', 'aria-label': 'Statuses of' },
    Object.entries(VIEWS).map(([key, v]) => h('option', { value: key }, v.label)));
  const status = h('select', { id: 'status-filter', 'aria-label': 'Status' },
    h('option', { value: '' }, 'Every status'),
    CONFIGURATION_STATUSES.map((c) => h('option', { value: c.state }, c.label)));
  const holder = h('div');
  const show = () => {
    const view = VIEWS[kind.value];
    const table = pagedTable([
      ...view.columns,
      { title: 'Status', cell: (row) => { const s = lookup(CONFIGURATION_STATUSES, row.status); return pill(s.label, s.tone); } },
      { title: 'Last reported', cell: (row) => h('span', { title: fmt.date(row.lastReportedDateTime) }, fmt.ago(row.lastReportedDateTime)) },
    ], { name: 'statuses', empty: 'No status matches.' });
    holder.replaceChildren(table.element);
    table.load(withQuery(`${paths.configurations}/${id}/${kind.value}`, {
      $filter: status.value ? `status eq '${status.value}'` : undefined,
      $orderby: 'lastReportedDateTime desc',
      $top: 25,
      $count: 'true',
    }));
  };
  kind.addEventListener('change', show);
  status.addEventListener('change', show);
  container.replaceChildren(
    h('a', { class: 'back', href: '#/configurations' }, '‹ All configurations'),
    heading,
    card('Statuses', { wide: true, actions: [kind, status] }, holder));
  fillWith(heading, async () => {
    const c = await api.get(withQuery(`${paths.configurations}/${id}`, { $expand: 'deviceStatusSummary,userStatusSummary' }));
    return h('div', { class: 'detail-head' }, configurationCard(c));
  });
  show();
}

export function render(view, selected) {
  const container = h('div', { class: 'stack' });
  view.append(container);
  if (selected) statuses(container, selected);
  else list(container);
}
