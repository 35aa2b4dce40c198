// macOS updates: the software update account summaries a page at a time, with their
// category summaries, and for the selected Mac each category's update states.

import { api, paths, withQuery } from '../api.js';
import { meter } from '../charts.js';
import { card, fillWith, fmt, h, kpi, pill } from '../dom.js';
import { UPDATE_CATEGORIES, updateState } from '../fleet.js';
import { pagedTable } from '../table.js';

const FAILING = 'failedUpdateCount gt 0';

function categories(row) {
  const order = Object.keys(UPDATE_CATEGORIES);
  const sorted = [...(row.categorySummaries || [])].sort((a, b) => order.indexOf(a.updateCategory) - order.indexOf(b.updateCategory));
  return h('div', { class: 'chips' }, sorted.map((c) => h('span', {
    class: `chip ${c.failedUpdateCount ? 'chip-error' : c.successfulUpdateCount === c.totalUpdateCount ? 'chip-success' : ''}`,
    title: `${fmt.number(c.successfulUpdateCount)} installed, ${fmt.number(c.failedUpdateCount)} failed, ${fmt.number(c.totalUpdateCount)} in all`,
  }, `${UPDATE_CATEGORIES[c.updateCategory] || c.updateCategory} ${c.successfulUpdateCount}/${c.totalUpdateCount}`)));
}

function accountsTable(onSelect) {
  return pagedTable([
    {
      title: 'Mac',
      cell: (row) => h('div', {}, h('div', { class: 'strong' }, row.deviceName || row.displayName), h('div', { class: 'muted small' }, row.userPrincipalName || '')),
    },
    { title: 'macOS', cell: (row) => row.osVersion || '–' },
    {
      title: 'Installed',
      cell: (row) => h('div', { class: 'meter-cell' }, meter(row.successfulUpdateCount, row.failedUpdateCount, row.totalUpdateCount),
        h('span', { class: 'small' }, `${row.successfulUpdateCount}/${row.totalUpdateCount}`)),
    },
    { title: 'Failed', class: 'num', cell: (row) => (row.failedUpdateCount ? pill(fmt.number(row.failedUpdateCount), 'error') : h('span', { class: 'muted' }, '0')) },
    { title: 'Categories', cell: categories },
    { title: 'Last update', cell: (row) => h('span', { title: fmt.date(row.lastUpdatedDateTime) }, fmt.ago(row.lastUpdatedDateTime)) },
  ], { name: 'macs', empty: 'No Mac matches.', onRow: onSelect });
}

async function updateStates(account) {
  const base = `${paths.macos}/${account.id}`;
  const page = await api.get(withQuery(`${base}/categorySummaries`, { $expand: 'updateStateSummaries', $top: 50 }));
  if (!page.value.length) return h('div', { class: 'empty' }, 'This Mac reported no update categories.');
  const order = Object.keys(UPDATE_CATEGORIES);
  const sorted = [...page.value].sort((a, b) => order.indexOf(a.updateCategory) - order.indexOf(b.updateCategory));
  return h('div', { class: 'stack' }, sorted.map((category) => h('div', { class: 'category' },
    h('div', { class: 'category-head' },
      h('strong', {}, category.displayName || UPDATE_CATEGORIES[category.updateCategory]),
      h('span', { class: 'muted' }, `${fmt.number(category.successfulUpdateCount)} of ${fmt.number(category.totalUpdateCount)} installed`,
        category.failedUpdateCount ? `, ${fmt.number(category.failedUpdateCount)} failed` : '')),
    h('table', { class: 'data compact' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Update'), h('th', {}, 'Version'), h('th', {}, 'Product key'), h('th', {}, 'State'), h('th', {}, 'Updated'))),
      h('tbody', {}, (category.updateStateSummaries || []).map((u) => {
        const state = updateState(u.state);
        return h('tr', {},
          h('td', {}, u.displayName), h('td', {}, u.updateVersion || '–'), h('td', { class: 'mono small' }, u.productKey || '–'),
          h('td', {}, pill(state.label, state.tone)),
          h('td', { title: fmt.date(u.lastUpdatedDateTime) }, fmt.ago(u.lastUpdatedDateTime)));
      }))))));
}

export function render(view) {
  const kpis = h('div');
  const detail = h('div');
  const only = h('input', { type: 'checkbox', id: 'only-failing' });
  const table = accountsTable((account) => {
    table.highlight(account.id);
    const body = h('div');
    detail.replaceChildren(card(`Update states · ${account.deviceName || account.displayName}`, {
      subtitle: `${account.userPrincipalName || ''} · macOS ${account.osVersion || '?'}`, wide: true, id: 'update-states',
    }, body));
    fillWith(body, () => updateStates(account));
    detail.scrollIntoView({ block: 'start' });
  });
  const load = () => table.load(withQuery(paths.macos, {
    $select: 'id,displayName,deviceName,userPrincipalName,osVersion,successfulUpdateCount,failedUpdateCount,totalUpdateCount,lastUpdatedDateTime',
    $expand: 'categorySummaries($select=updateCategory,successfulUpdateCount,failedUpdateCount,totalUpdateCount)',
    $filter: only.checked ? FAILING : undefined,
    $orderby: 'lastUpdatedDateTime desc',
    $top: 25,
    $count: 'true',
  }));
  only.addEventListener('change', load);
  view.append(kpis,
    card('Software update accounts', {
      subtitle: 'macOSSoftwareUpdateAccountSummaries, most recent first; select a Mac for its update states',
      wide: true,
      actions: h('label', { class: 'toggle' }, only, 'Only Macs with failed updates'),
    }, table.element),
    detail);
  fillWith(kpis, async () => {
    const [total, failing] = await Promise.all([api.count(paths.macos), api.count(paths.macos, FAILING)]);
    return h('div', { class: 'kpis three' },
      kpi('Macs reporting', total, { name: 'macos.total', sub: 'software update account summaries' }),
      kpi('With failed updates', failing, { name: 'macos.failing', tone: failing ? 'error' : null, sub: `${fmt.percent(failing, total)} of Macs` }),
      kpi('Without failures', total - failing, { name: 'macos.clean', tone: 'success', sub: `${fmt.percent(total - failing, total)} of Macs` }));
  });
  load();
}
