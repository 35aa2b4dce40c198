// What the dashboard test stands on: the real binary (seed, token, serve), the API read
// the way the page reads it, and Debian's Chromium driven by playwright-core.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
/** The binary under test (`cargo build --bin localgraph`). */
export const BIN = process.env.LOCALGRAPH_BIN || path.join(root, 'target', 'debug', 'localgraph');
/** Where the screenshots go, for people to look at. */
export const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS || path.join(root, 'target', 'dashboard-screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// As /work/.library/env/machines/rust.md starts it: no network beyond loopback.
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Runs the binary to completion and returns its stdout. */
export function localgraph(args) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

/** A fresh data directory with a fleet of `devices` devices in `tenant`. */
export function seededDataDir(tenant, devices) {
  const dir = mkdtempSync(path.join(tmpdir(), 'localgraph-dashboard-'));
  localgraph(['seed', '--data-dir', dir, '--tenant', tenant, '--devices', String(devices), '--seed', '7']);
  return dir;
}

/** A token for `tenant` (extra arguments: `--scope S`, `--role R`, `--ttl D`). */
export function token(dataDir, tenant, extra = []) {
  const out = localgraph(['token', '--data-dir', dataDir, '--tenant', tenant, ...extra]);
  return out.trim().split('\n').pop();
}

/** `localgraph serve` on 127.0.0.1:0; resolves with its base URL and the lines it printed. */
export function serve(dataDir) {
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no "try:" line in 30 s: ${lines.join('\n')}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${lines.join('\n')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('  try:')) {
        clearTimeout(timer);
        const base = lines.find((l) => l.startsWith('localgraph listening on ')).slice('localgraph listening on '.length).trim();
        const dashboard = (lines.find((l) => l.startsWith('  dashboard: ')) || '').slice('  dashboard: '.length).trim();
        resolve({ child, base, dashboard, lines, stop: () => child.kill('SIGTERM') });
      }
    });
  });
}

/** The API as a client reads it, with a bearer token. */
export class Api {
  constructor(base, bearer) {
    this.base = base;
    this.bearer = bearer;
  }

  /** Sends a request; resolves with { status, headers, body } (JSON or text). */
  async send(method, url, body) {
    const headers = { Authorization: `Bearer ${this.bearer}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url.startsWith('http') ? url : `${this.base}${url}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // /$count answers text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** GET that must answer 200. */
  async get(url) {
    const answer = await this.send('GET', url);
    if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** `/$count` of a collection, with an optional `$filter`. */
  async count(collection, filter) {
    const url = filter ? `${collection}/$count?$filter=${encodeURIComponent(filter)}` : `${collection}/$count`;
    return Number(await this.get(url));
  }
}

/** Chromium with a fresh profile, and one page at 1366×768 (a laptop screen). */
export async function browser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'localgraph-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 768 },
    timeout: 60_000,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Retries `check` (which throws until it holds) for up to `ms`. */
export async function eventually(check, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The number a `data-metric` element shows, as a number ("1,234" → 1234). */
export async function shown(page, name) {
  const element = page.locator(`[data-metric="${name}"]`).first();
  await element.waitFor({ state: 'attached' });
  const text = (await element.textContent()).trim();
  const value = Number(text.replace(/,/g, ''));
  if (!Number.isInteger(value)) throw new Error(`${name} shows "${text}"`);
  return value;
}

/** Asserts, retrying while the page loads, that each metric shows what `expected` says. */
export async function expectShown(page, expected, assert) {
  for (const [name, value] of Object.entries(expected)) {
    await eventually(async () => assert.equal(await shown(page, name), value, `${name} on the page`));
  }
}

/** The texts of the first cell's bold line of each row of a table. */
export async function firstColumn(page, table) {
  return page.locator(`table[data-table="${table}"] tbody tr td:first-child .strong`).allTextContents();
}

/** Writes a screenshot of the page as `name`.png. */
export async function screenshot(page, name, options = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let charts and fonts settle after the last answer; a full page is taken from its top.
  await page.waitForLoadState('networkidle').catch(() => {});
  if (options.fullPage) {
    await page.evaluate(() => new Promise((resolve) => {
      window.scrollTo(0, 0);
      requestAnimationFrame(() => requestAnimationFrame(resolve));
    }));
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), ...options });
}
