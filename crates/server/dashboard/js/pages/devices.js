// Devices: the managed devices a page at a time (`@odata.nextLink`), most recently synced
// first, filtered by platform, compliance state and the start of the device name.

import { paths, withQuery } from '../api.js';
import { card, fmt, h, pill } from '../dom.js';
import { COMPLIANCE, PLATFORMS, lookup } from '../fleet.js';
import { pagedTable } from '../table.js';

const SELECT = 'id,deviceName,operatingSystem,osVersion,manufacturer,model,complianceState,userPrincipalName,lastSyncDateTime,enrolledDateTime';

/** The `$filter` of the chosen platform, compliance state and name prefix. */
export function deviceFilter({ platform, compliance, name }) {
  const parts = [];
  const p = PLATFORMS.find((x) => x.key === platform);
  if (p) parts.push(p.filter);
  if (compliance) parts.push(`complianceState eq '${compliance}'`);
  if (name) parts.push(`startswith(deviceName,'${name.replace(/'/g, "''")}')`);
  return parts.join(' and ');
}

export function render(view) {
  const platform = h('select', { id: 'device-platform', 'aria-label': 'Platform' },
    h('option', { value: '' }, 'All platforms'),
    PLATFORMS.map((p) => h('option', { value: p.key }, p.label)));
  const compliance = h('select', { id: 'device-compliance', 'aria-label': 'Compliance state' },
    h('option', { value: '' }, 'Any compliance state'),
    COMPLIANCE.map((c) => h('option', { value: c.state }, c.label)));
  const name = h('input', { id: 'device-name', type: 'search', placeholder: 'Device name starts with…', 'aria-label': 'Device name starts with' });

  const table = pagedTable([
    {
      title: 'Device',
      cell: (row) => h('div', {}, h('div', { class: 'strong' }, row.deviceName || '–'), h('div', { class: 'muted small' }, [row.manufacturer, row.model].filter(Boolean).join(' '))),
    },
    { title: 'User', cell: (row) => row.userPrincipalName || '–' },
    { title: 'Platform', cell: (row) => h('div', {}, row.operatingSystem || '–', h('div', { class: 'muted small' }, row.osVersion || '')) },
    { title: 'Compliance', cell: (row) => { const c = lookup(COMPLIANCE, row.complianceState); return pill(c.label, c.tone); } },
    { title: 'Last sync', cell: (row) => h('div', {}, fmt.ago(row.lastSyncDateTime), h('div', { class: 'muted small' }, fmt.date(row.lastSyncDateTime))) },
    { title: 'Enrolled', cell: (row) => h('span', { title: fmt.date(row.enrolledDateTime) }, fmt.ago(row.enrolledDateTime)) },
  ], { name: 'devices', empty: 'No device matches these filters.' });

  const load = () => table.load(withQuery(paths.devices, {
    $select: SELECT,
    $filter: deviceFilter({ platform: platform.value, compliance: compliance.value, name: name.value.trim() }),
    $orderby: 'lastSyncDateTime desc',
    $top: 50,
    $count: 'true',
  }));
  let typing = null;
  platform.addEventListener('change', load);
  compliance.addEventListener('change', load);
  name.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(load, 300);
  });

  view.append(card('Managed devices', {
    subtitle: 'deviceManagement/managedDevices, most recently synced first, 50 a page',
    wide: true,
    actions: [name, platform, compliance],
  }, table.element));
  load();
  return () => clearTimeout(typing);
}
