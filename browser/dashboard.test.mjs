// The dashboard in a real browser (issue 12, point 2): a seeded fleet served by the real
// binary, Debian's Chromium signed in with a token, and on every page the numbers shown
// compared with what the API answers to the same questions. A screenshot of each page is
// written under target/dashboard-screenshots/.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';

import {
  Api, browser, eventually, expectShown, firstColumn, screenshot, seededDataDir, serve, shown, token,
} from './harness.mjs';

const TENANT = 'contoso.example';
const DEVICES = Number(process.env.DASHBOARD_DEVICES || 2000);
const DEVICES_URL = '/v1.0/deviceManagement/managedDevices';
const SCRIPTS_URL = '/beta/deviceManagement/deviceManagementScripts';
const CONFIGURATIONS_URL = '/beta/deviceAppManagement/mobileAppConfigurations';
const MACOS_URL = '/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries';
const PLATFORMS = {
  windows: "operatingSystem eq 'Windows'",
  ios: "operatingSystem in ('iOS','iPadOS')",
  android: "operatingSystem eq 'Android'",
  macos: "operatingSystem eq 'macOS'",
};
const COMPLIANCE = ['compliant', 'noncompliant', 'inGracePeriod', 'conflict', 'error', 'unknown', 'configManager'];
const RUN_STATES = ['success', 'fail', 'scriptError', 'pending', 'notApplicable', 'unknown'];
const SUMMARY_COUNTS = ['successCount', 'pendingCount', 'failedCount', 'errorCount', 'conflictCount', 'notApplicableCount'];

let dataDir;
let server;
let api;
let chrome;
let page;
let controlApi;

before(async () => {
  dataDir = seededDataDir(TENANT, DEVICES);
  server = await serve(dataDir);
  api = new Api(server.base, token(dataDir, TENANT));
  // Whether this server has the control API of issue 11 (journal, faults, throttling).
  controlApi = (await api.send('GET', '/_localgraph/requests?top=1')).status !== 404;
  chrome = await browser();
  page = chrome.page;
});

after(async () => {
  if (chrome) await chrome.close();
  if (server) server.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens a page of the dashboard by its address. */
async function open(route) {
  await page.evaluate((hash) => { window.location.hash = hash; }, route);
  await page.locator(`#view[data-page="${route.split('/')[1]}"]`).waitFor();
}

test('the link serve prints signs in and leaves no token in the address bar', async () => {
  assert.match(server.dashboard, /^http:\/\/127\.0\.0\.1:\d+\/#token=ey/, 'serve prints the dashboard link');
  await page.goto(server.dashboard);
  await page.locator('#view[data-page="overview"]').waitFor();
  assert.ok(!page.url().includes('token='), `the address bar still has the token: ${page.url()}`);
  const tenant = server.lines.find((l) => l.startsWith('  tenant: ')).slice('  tenant: '.length).trim();
  assert.equal(await page.locator('[data-tenant]').textContent(), tenant);
  // The default tenant is empty: its counts read zero.
  await expectShown(page, { 'devices.total': 0 }, assert);

  // Signing out and pasting another tenant's token shows that tenant.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#token-input').fill(api.bearer);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-tenant]').filter({ hasText: TENANT }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('localgraph.token')), api.bearer);
});

test('overview: devices by platform and compliance, counts and the update summary equal the API', async () => {
  await open('#/overview');
  const total = await api.count(DEVICES_URL);
  assert.equal(total, DEVICES);
  const expected = { 'devices.total': total, 'platform.total': total, 'compliance.total': total };
  let known = 0;
  for (const [key, filter] of Object.entries(PLATFORMS)) {
    expected[`platform.${key}`] = await api.count(DEVICES_URL, filter);
    known += expected[`platform.${key}`];
  }
  expected['platform.other'] = total - known;
  for (const state of COMPLIANCE) expected[`compliance.${state}`] = await api.count(DEVICES_URL, `complianceState eq '${state}'`);
  expected['kpi.compliant'] = expected['compliance.compliant'];
  expected['kpi.noncompliant'] = expected['compliance.noncompliant'];
  expected['scripts.count'] = await api.count(SCRIPTS_URL);
  expected['configurations.count'] = await api.count(CONFIGURATIONS_URL);
  expected['macos.count'] = await api.count(MACOS_URL);
  const summary = await api.get('/v1.0/deviceManagement/softwareUpdateStatusSummary');
  for (const key of ['compliant', 'remediated', 'nonCompliant', 'error', 'conflict', 'unknown', 'notApplicable']) {
    expected[`updates.${key}Device`] = summary[`${key}DeviceCount`];
    expected[`updates.${key}User`] = summary[`${key}UserCount`];
  }
  assert.ok(expected['platform.windows'] > 0 && expected['compliance.noncompliant'] > 0, 'a realistic fleet');
  await expectShown(page, expected, assert);
  await screenshot(page, 'overview');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'overview-1920x1080');
  await page.setViewportSize({ width: 1366, height: 768 });
});

test('devices: pages through @odata.nextLink, filtered, as the API orders them', async () => {
  await open('#/devices');
  const query = (filter) => `${DEVICES_URL}?$select=deviceName&$orderby=lastSyncDateTime desc&$top=50${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`;
  const first = await api.get(query());
  await expectShown(page, { 'devices.count': DEVICES }, assert);
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'devices'), first.value.map((d) => d.deviceName)));
  await screenshot(page, 'devices');

  // The second page is the API's second page.
  const second = await api.get(first['@odata.nextLink']);
  await page.getByRole('button', { name: 'Next ›' }).first().click();
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'devices'), second.value.map((d) => d.deviceName)));
  assert.match(await page.locator('.pager-status').first().textContent(), /^Rows 51–100 of 2,000$/);
  await page.getByRole('button', { name: '‹ Previous' }).last().click();
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'devices'), first.value.map((d) => d.deviceName)));

  // Filtered by platform and compliance state.
  const filter = `${PLATFORMS.macos} and complianceState eq 'noncompliant'`;
  await page.locator('#device-platform').selectOption('macos');
  await page.locator('#device-compliance').selectOption('noncompliant');
  const filtered = await api.get(query(filter));
  await expectShown(page, { 'devices.count': await api.count(DEVICES_URL, filter) }, assert);
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'devices'), filtered.value.map((d) => d.deviceName)));
  await screenshot(page, 'devices-filtered');
});

test('scripts: each run summary, the run states and the failing devices equal the API', async () => {
  const scripts = (await api.get(`${SCRIPTS_URL}?$select=id,displayName&$top=20`)).value;
  assert.ok(scripts.length >= 3, 'the fleet has scripts');
  await open('#/scripts');
  // The first script is selected when the address names none.
  await page.waitForURL(/#\/scripts\/[0-9a-f-]+$/);
  const selected = page.url().split('/').pop();
  const expected = {};
  for (const script of scripts) {
    const summary = await api.get(`${SCRIPTS_URL}/${script.id}/runSummary`);
    for (const property of ['successDeviceCount', 'errorDeviceCount', 'successUserCount', 'errorUserCount']) {
      expected[`script.${script.id}.${property}`] = summary[property];
      if (script.id === selected) expected[`runsummary.${property}`] = summary[property];
    }
  }
  const states = `${SCRIPTS_URL}/${selected}/deviceRunStates`;
  expected['runstate.total'] = await api.count(states);
  for (const state of RUN_STATES) expected[`runstate.${state}`] = await api.count(states, `runState eq '${state}'`);
  const failed = "runState in ('fail','scriptError')";
  expected['failing.count'] = await api.count(states, failed);
  assert.ok(expected['failing.count'] > 0, 'the script failed somewhere');
  await expectShown(page, expected, assert);
  const failing = await api.get(`${states}?$filter=${encodeURIComponent(failed)}&$expand=managedDevice&$orderby=lastStateUpdateDateTime desc&$top=25`);
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'failing'), failing.value.map((s) => s.managedDevice.deviceName)));
  await screenshot(page, 'scripts', { fullPage: true });
});

test('configurations: each device and user status summary equals the API', async () => {
  const configurations = (await api.get(`${CONFIGURATIONS_URL}?$expand=deviceStatusSummary,userStatusSummary&$top=20`)).value;
  assert.ok(configurations.length >= 2);
  await open('#/configurations');
  const expected = {};
  for (const c of configurations) {
    for (const property of SUMMARY_COUNTS) {
      expected[`config.${c.id}.device.${property}`] = c.deviceStatusSummary[property];
      expected[`config.${c.id}.user.${property}`] = c.userStatusSummary[property];
    }
  }
  assert.ok(Object.values(expected).some((v) => v > 0));
  await expectShown(page, expected, assert);
  await screenshot(page, 'configurations', { fullPage: true });

  // One configuration's device statuses, filtered by status.
  const first = configurations[0];
  await page.locator(`[data-configuration="${first.id}"] a`, { hasText: 'Statuses' }).first().click();
  await expectShown(page, { 'statuses.count': await api.count(`${CONFIGURATIONS_URL}/${first.id}/deviceStatuses`) }, assert);
  await page.locator('#status-filter').selectOption('nonCompliant');
  await expectShown(page, {
    'statuses.count': await api.count(`${CONFIGURATIONS_URL}/${first.id}/deviceStatuses`, "status eq 'nonCompliant'"),
  }, assert);
  await screenshot(page, 'configuration-statuses');
});

test('macOS updates: account summaries paged, with their categories and update states', async () => {
  await open('#/macos');
  const total = await api.count(MACOS_URL);
  const failing = await api.count(MACOS_URL, 'failedUpdateCount gt 0');
  assert.ok(total > 0 && failing > 0);
  await expectShown(page, { 'macos.total': total, 'macos.failing': failing, 'macos.clean': total - failing, 'macs.count': total }, assert);
  const first = await api.get(`${MACOS_URL}?$orderby=lastUpdatedDateTime desc&$top=25`);
  await eventually(async () => assert.deepEqual(await firstColumn(page, 'macs'), first.value.map((m) => m.deviceName)));

  // Selecting a Mac shows its categories and their update states.
  const mac = first.value[0];
  const categories = (await api.get(`${MACOS_URL}/${mac.id}/categorySummaries?$expand=updateStateSummaries`)).value;
  await page.locator('table[data-table="macs"] tbody tr').first().click();
  const details = page.locator('#update-states');
  await eventually(async () => assert.equal(await details.locator('.category').count(), categories.length));
  const updates = categories.reduce((n, c) => n + c.updateStateSummaries.length, 0);
  assert.equal(await details.locator('tbody tr').count(), updates);
  await screenshot(page, 'macos', { fullPage: true });

  await page.locator('#only-failing').check();
  await expectShown(page, { 'macs.count': failing }, assert);
});

test('requests: the journal, live, with throttled and faulted requests marked', async () => {
  await open('#/requests');
  if (!controlApi) {
    await page.locator('[data-notice]').filter({ hasText: 'not available' }).waitFor();
    await screenshot(page, 'requests');
    return;
  }
  // A fault rule answers the next read of the summary with a 503.
  const rule = await api.send('POST', '/_localgraph/faults', {
    method: 'GET', path: 'deviceManagement/softwareUpdateStatusSummary', status: 503, times: 1,
  });
  assert.equal(rule.status, 201);
  const faulted = await api.send('GET', '/v1.0/deviceManagement/softwareUpdateStatusSummary');
  assert.equal(faulted.status, 503);
  const id = faulted.headers.get('request-id');
  // Shown within a refresh or two.
  const row = page.locator(`tr[data-request-id="${id}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.locator('[data-status]').textContent(), '503');
  assert.ok(await row.getByText('faulted').isVisible());
  const journal = (await api.get('/_localgraph/requests?top=100')).value;
  assert.ok(journal.some((e) => e.requestId === id && e.faulted));
  await eventually(async () => assert.ok((await shown(page, 'journal.faulted')) >= 1));
  await screenshot(page, 'requests');
});

test('controls: throttling and fault rules as the control API has them', async () => {
  await open('#/controls');
  if (!controlApi) {
    assert.equal(await page.locator('[data-notice]').count() >= 1, true);
    await page.locator('[data-notice]').first().waitFor();
    await screenshot(page, 'controls');
    return;
  }
  const throttling = await api.get('/_localgraph/throttling');
  await page.locator(`[data-throttling="${throttling.mode}"]`).waitFor();
  const faults = (await api.get('/_localgraph/faults')).value;
  await expectShown(page, { 'faults.count': faults.length }, assert);

  // A rule added through the form is the API's; removing it there removes it.
  await page.locator('#fault-method').selectOption('PATCH');
  await page.locator('#fault-path').fill('deviceManagement/**');
  await page.locator('#fault-status').fill('429');
  await page.locator('#fault-times').fill('2');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expectShown(page, { 'faults.count': faults.length + 1 }, assert);
  const added = (await api.get('/_localgraph/faults')).value.find((r) => r.path === 'deviceManagement/**');
  assert.equal(added.status, 429);
  assert.equal(added.remaining, 2);
  await screenshot(page, 'controls', { fullPage: true });
  await page.locator(`tr[data-fault="${added.id}"]`).getByRole('button', { name: 'Remove' }).click();
  await expectShown(page, { 'faults.count': faults.length }, assert);
  assert.equal((await api.get('/_localgraph/faults')).value.length, faults.length);
});

test('API errors are shown with Graph\'s message: 429, 403 and 401', async () => {
  if (controlApi) {
    // Throttled: a tenant limit of 2 requests per 20 s.
    await api.send('PUT', '/_localgraph/throttling', { mode: 'custom', writesPer20Seconds: 1, requestsPer20Seconds: 2 });
    await open('#/devices');
    await open('#/overview');
    const box = page.locator('.alert-error[data-status="429"]').first();
    await box.waitFor();
    assert.match(await box.textContent(), /TooManyRequests/);
    await screenshot(page, 'error-429');
    await api.send('PUT', '/_localgraph/throttling', { mode: 'intune' });
  }

  // Forbidden: a token that may read app configurations only.
  const narrow = token(dataDir, TENANT, ['--scope', 'DeviceManagementApps.Read.All']);
  const refused = await new Api(server.base, narrow).send('GET', `${DEVICES_URL}/$count`);
  assert.equal(refused.status, 403);
  await page.goto(`${server.base}/#token=${narrow}`);
  const forbidden = page.locator('.alert-error[data-status="403"]').first();
  await forbidden.waitFor();
  assert.ok((await forbidden.textContent()).includes(refused.body.error.message), 'the Graph message is shown');
  await screenshot(page, 'error-403');

  if (controlApi) {
    // The same token may read the controls but not change them: the change's 403, and
    // nothing added.
    const rules = (await api.get('/_localgraph/faults')).value.length;
    const change = await new Api(server.base, narrow).send('POST', '/_localgraph/faults', { path: 'deviceManagement/**', status: 503 });
    assert.equal(change.status, 403);
    await open('#/controls');
    await expectShown(page, { 'faults.count': rules }, assert);
    await page.locator('#fault-path').fill('deviceManagement/**');
    await page.locator('#fault-status').fill('503');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const refusedChange = page.locator('.alert-error[data-status="403"]').first();
    await refusedChange.waitFor();
    assert.ok((await refusedChange.textContent()).includes(change.body.error.message), 'the control API\'s message is shown');
    assert.equal((await api.get('/_localgraph/faults')).value.length, rules);
    await screenshot(page, 'controls-403');
  }

  // A token whose signature does not verify: back to the sign-in box, with the reason.
  const tampered = `${api.bearer.slice(0, -4)}AAAA`;
  const unauthorized = await new Api(server.base, tampered).send('GET', `${DEVICES_URL}/$count`);
  assert.equal(unauthorized.status, 401);
  await page.goto(`${server.base}/#token=${tampered}`);
  await page.locator('#signin').waitFor();
  const reason = page.locator('#signin-error');
  await reason.waitFor();
  assert.ok((await reason.textContent()).includes(unauthorized.body.error.message));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('localgraph.token')), null, 'the refused token is forgotten');
  await screenshot(page, 'signin-401');
});

test('no script error in the page', () => {
  assert.deepEqual(chrome.errors.map(String), []);
});
