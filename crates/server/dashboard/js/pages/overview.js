// Overview: the fleet at a glance. Every number is a `/$count` (with a `$filter`) or a
// summary entity: nothing here reads a collection.

import { api, paths } from '../api.js';
import { donut, stackedBar } from '../charts.js';
import { card, fillWith, fmt, h, kpi, swatch } from '../dom.js';
import { COMPLIANCE, OTHER_PLATFORM_COLOR, PLATFORMS, UPDATE_COUNTS } from '../fleet.js';

/** The device counts: total, by platform (and "Other"), by compliance state. */
async function deviceCounts() {
  const [total, platforms, compliance] = await Promise.all([
    api.count(paths.devices),
    Promise.all(PLATFORMS.map((p) => api.count(paths.devices, p.filter))),
    Promise.all(COMPLIANCE.map((c) => api.count(paths.devices, `complianceState eq '${c.state}'`))),
  ]);
  const known = platforms.reduce((a, b) => a + b, 0);
  return {
    total,
    platforms: [
      ...PLATFORMS.map((p, i) => ({ label: p.label, value: platforms[i], color: p.color, name: `platform.${p.key}` })),
      { label: 'Other', value: Math.max(0, total - known), color: OTHER_PLATFORM_COLOR, name: 'platform.other' },
    ],
    compliance: COMPLIANCE.map((c, i) => ({ label: c.label, value: compliance[i], color: c.color, name: `compliance.${c.state}` })),
  };
}

/** A key figure that fills itself from `promise` ({value, name, sub, tone}). */
function tile(label, promise) {
  const element = kpi(label, '…');
  promise.then(
    (figure) => element.replaceWith(kpi(label, figure.value, figure)),
    (error) => element.replaceWith(kpi(label, '–', {
      tone: 'error',
      sub: h('span', { class: 'kpi-error', title: error.message, dataset: { status: error.status } },
        h('strong', {}, `${error.status} ${error.code}`), ' ', error.message),
    })),
  );
  return element;
}

function updateSummary(summary) {
  const side = (suffix) => UPDATE_COUNTS.map((c) => ({
    label: c.label, color: c.color, value: summary[`${c.key}${suffix}Count`] || 0, name: `updates.${c.key}${suffix}`,
  }));
  const devices = side('Device');
  const users = side('User');
  const total = (list) => list.reduce((a, b) => a + b.value, 0);
  const row = (title, list) => h('div', { class: 'summary-row' },
    h('div', { class: 'summary-row-head' }, h('strong', {}, title), h('span', { class: 'muted' }, `${fmt.number(total(list))} reported`)),
    stackedBar(list, { height: 16 }));
  return h('div', { class: 'update-summary' },
    h('div', { class: 'summary-bars' }, row('Devices', devices), row('Users', users)),
    h('table', { class: 'legend legend-columns' },
      h('thead', {}, h('tr', {}, h('th'), h('th', {}, 'State'), h('th', { class: 'num' }, 'Devices'), h('th', { class: 'num' }, 'Users'))),
      h('tbody', {}, UPDATE_COUNTS.map((c, i) => h('tr', {},
        h('td', {}, swatch(c.color)),
        h('td', { class: 'legend-label' }, c.label),
        h('td', { class: 'legend-value' }, h('span', { class: 'num', dataset: { metric: devices[i].name } }, fmt.number(devices[i].value))),
        h('td', { class: 'legend-value' }, h('span', { class: 'num', dataset: { metric: users[i].name } }, fmt.number(users[i].value))))))));
}

export function render(view) {
  const counts = deviceCounts();
  // One failure is shown where it happens; the promise is also awaited below.
  counts.catch(() => {});
  const byState = (state) => counts.then((c) => c.compliance.find((x) => x.name === `compliance.${state}`).value);

  view.append(h('div', { class: 'kpis' },
    tile('Managed devices', counts.then((c) => ({ value: c.total, name: 'devices.total', sub: 'enrolled in Intune' }))),
    tile('Compliant', Promise.all([counts, byState('compliant')]).then(([c, n]) => ({
      value: n, name: 'kpi.compliant', tone: 'success', sub: `${fmt.percent(n, c.total)} of devices`,
    }))),
    tile('Noncompliant', Promise.all([counts, byState('noncompliant')]).then(([c, n]) => ({
      value: n, name: 'kpi.noncompliant', tone: n ? 'error' : null, sub: `${fmt.percent(n, c.total)} of devices`,
    }))),
    tile('Scripts', api.count(paths.scripts).then((n) => ({ value: n, name: 'scripts.count', sub: 'PowerShell scripts' }))),
    tile('Configurations', api.count(paths.configurations).then((n) => ({ value: n, name: 'configurations.count', sub: 'app configurations' }))),
    tile('Macs reporting', api.count(paths.macos).then((n) => ({ value: n, name: 'macos.count', sub: 'macOS update states' })))));

  const platforms = h('div');
  const compliance = h('div');
  const updates = h('div');
  view.append(
    h('div', { class: 'grid two' },
      card('Devices by platform', { subtitle: 'operatingSystem, counted with /$count' }, platforms),
      card('Devices by compliance state', { subtitle: 'complianceState, counted with /$count' }, compliance)),
    card('Software update status', { subtitle: 'deviceManagement/softwareUpdateStatusSummary', wide: true }, updates));
  fillWith(platforms, async () => {
    const c = await counts;
    return donut(c.platforms, { total: c.total, centerLabel: 'devices', totalName: 'platform.total' });
  });
  fillWith(compliance, async () => {
    const c = await counts;
    return donut(c.compliance, { total: c.total, centerLabel: 'devices', totalName: 'compliance.total' });
  });
  fillWith(updates, async () => updateSummary(await api.get(paths.updateSummary)));
}
