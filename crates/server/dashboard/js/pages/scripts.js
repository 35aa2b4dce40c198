// Scripts: each device management script's run summary, and for the selected one its run
// states by state and the devices where it failed, read a page at a time.

import { api, paths, withQuery } from '../api.js';
import { donut, stackedBar } from '../charts.js';
import { card, fillWith, fmt, h, metric, pill } from '../dom.js';
import { RUN_STATES, lookup } from '../fleet.js';
import { pagedTable } from '../table.js';

const FAILED = "runState in ('fail','scriptError')";

function summaryBar(summary, who) {
  const success = summary[`success${who}Count`] || 0;
  const error = summary[`error${who}Count`] || 0;
  return stackedBar([
    { label: 'Succeeded', value: success, color: '#16a34a' },
    { label: 'Failed', value: error, color: '#dc2626' },
  ], { height: 10 });
}

function scriptsTable(selected, onPage) {
  const number = (row, property) => metric(`script.${row.id}.${property}`, (row.runSummary || {})[property] || 0);
  return pagedTable([
    {
      title: 'Script',
      cell: (row) => h('div', {}, h('div', { class: 'strong' }, row.displayName || '(no name)'),
        h('div', { class: 'muted small' }, row.fileName || '')),
    },
    { title: 'Devices', class: 'chart-cell', cell: (row) => summaryBar(row.runSummary || {}, 'Device') },
    { title: 'Succeeded', class: 'num', cell: (row) => number(row, 'successDeviceCount') },
    { title: 'Failed', class: 'num', cell: (row) => number(row, 'errorDeviceCount') },
    { title: 'Users OK', class: 'num', cell: (row) => number(row, 'successUserCount') },
    { title: 'Users failed', class: 'num', cell: (row) => number(row, 'errorUserCount') },
    { title: 'Modified', cell: (row) => h('span', { title: fmt.date(row.lastModifiedDateTime) }, fmt.ago(row.lastModifiedDateTime)) },
  ], {
    name: 'scripts',
    empty: 'No device management scripts in this tenant.',
    onRow: (row) => { window.location.hash = `#/scripts/${row.id}`; },
    onPage,
    selected,
  });
}

async function runStates(script) {
  const states = `${paths.scripts}/${script}/deviceRunStates`;
  const [total, counts] = await Promise.all([
    api.count(states),
    Promise.all(RUN_STATES.map((r) => api.count(states, `runState eq '${r.state}'`))),
  ]);
  return donut(RUN_STATES.map((r, i) => ({ label: r.label, value: counts[i], color: r.color, name: `runstate.${r.state}` })),
    { total, centerLabel: 'devices', totalName: 'runstate.total' });
}

function runSummary(summary) {
  const figure = (label, property, tone) => h('div', { class: `figure tone-${tone}` },
    h('div', { class: 'figure-value' }, metric(`runsummary.${property}`, summary[property] || 0)),
    h('div', { class: 'figure-label' }, label));
  return h('div', { class: 'run-summary' },
    h('div', { class: 'summary-row' }, h('div', { class: 'summary-row-head' }, h('strong', {}, 'Devices')), summaryBar(summary, 'Device')),
    h('div', { class: 'figures' },
      figure('devices succeeded', 'successDeviceCount', 'success'),
      figure('devices failed', 'errorDeviceCount', 'error')),
    h('div', { class: 'summary-row' }, h('div', { class: 'summary-row-head' }, h('strong', {}, 'Users')), summaryBar(summary, 'User')),
    h('div', { class: 'figures' },
      figure('users succeeded', 'successUserCount', 'success'),
      figure('users with a failure', 'errorUserCount', 'error')));
}

function failingDevices(script) {
  const table = pagedTable([
    {
      title: 'Device',
      cell: (row) => (row.managedDevice
        ? h('div', {}, h('div', { class: 'strong' }, row.managedDevice.deviceName || '(no name)'),
          h('div', { class: 'muted small' }, `${row.managedDevice.operatingSystem || ''} ${row.managedDevice.osVersion || ''}`))
        : h('span', { class: 'muted' }, '(device not linked)')),
    },
    { title: 'User', cell: (row) => (row.managedDevice && row.managedDevice.userPrincipalName) || '–' },
    { title: 'State', cell: (row) => { const state = lookup(RUN_STATES, row.runState); return pill(state.label, state.tone); } },
    { title: 'Error', class: 'mono', cell: (row) => (row.errorCode ? `0x${(row.errorCode >>> 0).toString(16).toUpperCase()}` : '–') },
    { title: 'Message', class: 'message', cell: (row) => row.errorDescription || row.resultMessage || '–' },
    { title: 'Updated', cell: (row) => h('span', { title: fmt.date(row.lastStateUpdateDateTime) }, fmt.ago(row.lastStateUpdateDateTime)) },
  ], { name: 'failing', empty: 'No device failed this script.' });
  table.load(withQuery(`${paths.scripts}/${script}/deviceRunStates`, {
    $filter: FAILED,
    $expand: 'managedDevice($select=deviceName,operatingSystem,osVersion,userPrincipalName)',
    $orderby: 'lastStateUpdateDateTime desc',
    $top: 25,
    $count: 'true',
  }));
  return table.element;
}

function detail(container, script) {
  const heading = h('div');
  const summary = h('div');
  const states = h('div');
  container.replaceChildren(
    heading,
    h('div', { class: 'grid two' },
      card('Run summary', { subtitle: 'runSummary: computed from the run states' }, summary),
      card('Device run states', { subtitle: 'deviceRunStates by runState, with /$count' }, states)),
    card('Failing devices', { subtitle: `deviceRunStates?$filter=${FAILED}&$expand=managedDevice`, wide: true },
      failingDevices(script)));
  fillWith(heading, async () => {
    const s = await api.get(withQuery(`${paths.scripts}/${script}`, { $select: 'displayName,description,fileName,runAsAccount' }));
    return h('div', { class: 'section-head' },
      h('h2', { dataset: { script: s.id } }, s.displayName || '(no name)'),
      h('p', { class: 'muted' }, [s.fileName, s.runAsAccount && `runs as ${s.runAsAccount}`, s.description].filter(Boolean).join(' · ')));
  });
  fillWith(summary, async () => runSummary(await api.get(`${paths.scripts}/${script}/runSummary`)));
  fillWith(states, () => runStates(script));
}

export function render(view, selected) {
  const selection = h('div', { class: 'stack' });
  // The script the address names, else the first one listed.
  const table = scriptsTable(selected, (rows) => {
    if (!selected && rows.length) window.location.replace(`#/scripts/${rows[0].id}`);
  });
  view.append(card('Device management scripts', {
    subtitle: 'runSummary of each script; select one for its run states and failing devices', wide: true,
  }, table.element), selection);
  table.load(withQuery(paths.scripts, {
    $select: 'id,displayName,fileName,lastModifiedDateTime',
    $expand: 'runSummary',
    $top: 20,
    $count: 'true',
  }));
  if (selected) detail(selection, selected);
}
