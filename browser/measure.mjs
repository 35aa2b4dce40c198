// How long each dashboard page takes to show everything, at a fleet's size: seeds a data
// directory (or takes DATA_DIR, seeded before), serves it, and opens each page three times
// in Chromium. Prints, per page, the median time from navigation until no part of the page
// is loading, the number of API requests it made and the slowest of them (server time as
// the browser saw it). Not a test: numbers for the README.
//
//   LOCALGRAPH_BIN=target/release/localgraph DEVICES=100000 node measure.mjs

import { Api, browser, seededDataDir, serve, token } from './harness.mjs';

const TENANT = 'contoso.example';
const DEVICES = Number(process.env.DEVICES || 100000);
const PAGES = ['overview', 'devices', 'scripts', 'configurations', 'macos'];
const SCRIPTS = '/beta/deviceManagement/deviceManagementScripts';
const ROUNDS = 3;

const dataDir = process.env.DATA_DIR || seededDataDir(TENANT, DEVICES);
const server = await serve(dataDir);
const chrome = await browser();
const { page } = chrome;
try {
  const bearer = token(dataDir, TENANT);
  // The scripts page opens its first script; name it, so one load is measured.
  const [script] = (await new Api(server.base, bearer).get(`${SCRIPTS}?$top=1`)).value;
  const route = (name) => (name === 'scripts' && script ? `#/scripts/${script.id}` : `#/${name}`);
  await page.goto(`${server.base}/#token=${bearer}`);
  await page.locator('#view[data-page="overview"]').waitFor();
  const rows = [];
  for (const name of PAGES) {
    const times = [];
    let requests = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Start each round from an empty page, so every request is made again.
      await page.evaluate(() => { window.location.hash = '#/requests'; });
      await page.locator('#view[data-page="requests"]').waitFor();
      const seen = [];
      const listener = (request) => seen.push(request);
      page.on('requestfinished', listener);
      const started = Date.now();
      await page.evaluate((hash) => { window.location.hash = hash; }, route(name));
      await page.waitForFunction((id) => {
        const view = document.querySelector(`#view[data-page="${id}"]`);
        return view && view.children.length > 0 && !view.querySelector('.loading, .paged.busy')
          && !view.textContent.includes('…');
      }, name, { timeout: 120_000, polling: 20 });
      times.push(Date.now() - started);
      page.off('requestfinished', listener);
      requests = seen.filter((r) => !r.url().includes('/_localgraph/'));
    }
    const slowest = requests
      .map((r) => ({ url: decodeURIComponent(r.url().replace(server.base, '')), ms: r.timing().responseEnd }))
      .sort((a, b) => b.ms - a.ms)[0];
    times.sort((a, b) => a - b);
    rows.push(`| ${name} | ${times[1]} | ${requests.length} | ${slowest ? `${Math.round(slowest.ms)} (\`${slowest.url.slice(0, 90)}\`)` : '–'} |`);
  }
  console.log(`${DEVICES} devices, ${ROUNDS} rounds per page\n`);
  console.log('| page | median ms until shown | API requests | slowest request, ms |');
  console.log('|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  await chrome.close();
  server.stop();
}
