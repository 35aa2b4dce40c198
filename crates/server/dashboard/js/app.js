// The dashboard's shell: sign-in, the sidebar, the header and the hash router
// (#/page or #/page/id). Each page module exports `render(view, param)`, which may
// return a function that stops what the page started (timers).

import { api, paths, whenUnauthorized } from './api.js';
import { h, s } from './dom.js';
import { claims, currentToken, describeGrants, grants, signIn, signOut, takeTokenFromFragment } from './session.js';
import * as overview from './pages/overview.js';
import * as scripts from './pages/scripts.js';
import * as configurations from './pages/configurations.js';
import * as macos from './pages/macos.js';
import * as devices from './pages/devices.js';
import * as requests from './pages/requests.js';
import * as controls from './pages/controls.js';

// Icons: 20×20 strokes, drawn for this page.
const ICONS = {
  overview: ['M3 3h6v6H3z', 'M11 3h6v6h-6z', 'M3 11h6v6H3z', 'M11 11h6v6h-6z'],
  scripts: ['M3 4h14v12H3z', 'M6 8l3 2-3 2', 'M11 12h3'],
  configurations: ['M4 5h12', 'M4 10h12', 'M4 15h12', 'M7 3v4', 'M13 8v4', 'M9 13v4'],
  macos: ['M10 3v9', 'M6 8l4 4 4-4', 'M4 15h12'],
  devices: ['M5 4h10v8H5z', 'M3 15h14', 'M8 12v3', 'M12 12v3'],
  requests: ['M2 10h4l2-5 4 10 2-5h4'],
  controls: ['M10 2l6 3v5c0 4-3 6-6 8-3-2-6-4-6-8V5z', 'M7.5 10l2 2 3.5-4'],
};

const PAGES = [
  { id: 'overview', title: 'Overview', module: overview },
  { id: 'devices', title: 'Devices', module: devices },
  { id: 'scripts', title: 'Scripts', module: scripts },
  { id: 'configurations', title: 'Configurations', module: configurations },
  { id: 'macos', title: 'macOS updates', module: macos },
  { id: 'requests', title: 'Requests', module: requests },
  { id: 'controls', title: 'Controls', module: controls },
];

function icon(name) {
  const svg = s('svg', { class: 'icon', viewBox: '0 0 20 20', width: 18, height: 18, 'aria-hidden': 'true' });
  for (const d of ICONS[name]) svg.append(s('path', { d }));
  return svg;
}

const view = document.getElementById('view');
let stop = null;
// Whether the server answers without a token (`serve --auth off`).
let anonymous = false;

function route() {
  const [id, ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  const page = PAGES.find((p) => p.id === id) || PAGES[0];
  return { page, param: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

function render() {
  if (!currentToken() && !anonymous) return;
  const { page, param } = route();
  if (stop) stop();
  stop = null;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === page.id);
    if (link.dataset.page === page.id) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.getElementById('title').textContent = page.title;
  document.title = `${page.title} · localgraph`;
  view.replaceChildren();
  view.dataset.page = page.id;
  const cleanup = page.module.render(view, param);
  if (typeof cleanup === 'function') stop = cleanup;
}

function header() {
  const who = document.getElementById('who');
  if (anonymous) {
    who.replaceChildren(h('span', { class: 'pill pill-warning' }, 'auth off: no token needed'));
    return;
  }
  const token = claims(currentToken());
  const expires = token && token.exp ? new Date(token.exp * 1000) : null;
  const hours = expires ? Math.round((expires.getTime() - Date.now()) / 3600000) : null;
  who.replaceChildren(
    h('div', { class: 'who-text' },
      h('div', { class: 'who-tenant' }, 'Tenant ', h('strong', { dataset: { tenant: 'true' } }, token ? token.tid : 'unknown')),
      h('div', { class: 'who-meta muted', title: grants(token).join('\n') },
        describeGrants(token),
        expires ? ` · ${hours > 0 ? `expires in ${hours} h` : hours === 0 ? 'expires within the hour' : 'expired'}` : '')),
    h('button', { class: 'button small', type: 'button', onclick: () => { signOut(); showSignIn(); } }, 'Sign out'));
}

function showApp() {
  document.getElementById('signin').hidden = true;
  document.getElementById('app').hidden = false;
  header();
  render();
}

function showSignIn(error) {
  if (stop) stop();
  stop = null;
  document.getElementById('app').hidden = true;
  document.getElementById('signin').hidden = false;
  const box = document.getElementById('signin-error');
  box.hidden = !error;
  if (error) {
    box.replaceChildren(
      h('div', { class: 'alert-title' }, `${error.status} ${error.code}`),
      h('div', { class: 'alert-message' }, error.message));
  }
  document.getElementById('token-input').focus();
}

function buildNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.map((page) => h('a', { href: `#/${page.id}`, dataset: { page: page.id } },
    icon(page.id), h('span', {}, page.title))));
}

async function start() {
  takeTokenFromFragment();
  buildNav();
  document.getElementById('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('token-input');
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    input.value = '';
    signIn(token);
    showApp();
  });
  window.addEventListener('hashchange', () => {
    takeTokenFromFragment();
    if (currentToken() || anonymous) {
      header();
      render();
    }
  });
  if (!currentToken()) {
    // No token: a server started with `--auth off` answers without one.
    try {
      await api.get(paths.updateSummary);
      anonymous = true;
    } catch {
      // Auth is on: the sign-in box below.
    }
  }
  whenUnauthorized((error) => {
    signOut();
    showSignIn(error);
  });
  if (currentToken() || anonymous) showApp();
  else showSignIn();
}

start();
