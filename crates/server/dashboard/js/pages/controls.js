// Controls: the tenant's throttling setting, behaviour profile and fault rules, read and
// changed through the control API (`/_localgraph/…`).

import { api, paths } from '../api.js';
import { card, errorBox, fmt, h, loading, metric, notice, pill } from '../dom.js';

function unavailable(title, endpoint) {
  return notice(`${title} on this server`, `It needs the control API (${endpoint}), which this server does not answer.`);
}

/** Shows what `read()` gives in `container` through `draw`, or the error; 404 means the
 * server has no control API. */
async function section(container, what, endpoint, read, draw) {
  container.replaceChildren(loading());
  try {
    container.replaceChildren(draw(await read()));
  } catch (error) {
    container.replaceChildren(error.status === 404 ? unavailable(what, endpoint)
      : errorBox(error, { retry: () => section(container, what, endpoint, read, draw) }));
  }
}

function describeThrottling(setting) {
  if (setting.mode === 'intune') return "Intune's documented limits";
  if (setting.mode === 'off') return 'Off: nothing is throttled';
  return `Custom: ${fmt.number(setting.writesPer20Seconds)} writes and ${fmt.number(setting.requestsPer20Seconds)} requests per 20 s`;
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function throttlingForm(container, setting) {
  const mode = h('select', { id: 'throttling-mode' },
    h('option', { value: 'intune' }, "Intune's limits"), h('option', { value: 'off' }, 'Off'), h('option', { value: 'custom' }, 'Custom'));
  mode.value = setting.mode;
  const writes = h('input', { type: 'number', min: 1, value: setting.writesPer20Seconds || 100, id: 'throttling-writes' });
  const requests = h('input', { type: 'number', min: 1, value: setting.requestsPer20Seconds || 1000, id: 'throttling-requests' });
  const custom = h('div', { class: 'form-row' }, field('Writes per 20 s', writes), field('Requests per 20 s', requests));
  const problem = h('div');
  const sync = () => { custom.hidden = mode.value !== 'custom'; };
  mode.addEventListener('change', sync);
  sync();
  const save = async (event) => {
    event.preventDefault();
    const body = mode.value === 'custom'
      ? { mode: 'custom', writesPer20Seconds: Number(writes.value), requestsPer20Seconds: Number(requests.value) }
      : { mode: mode.value };
    try {
      await api.send('PUT', paths.throttling, body);
      loadThrottling(container);
    } catch (error) {
      problem.replaceChildren(errorBox(error));
    }
  };
  return h('div', {},
    h('div', { class: 'setting' }, pill(setting.mode, setting.mode === 'off' ? 'neutral' : 'info', { dataset: { throttling: setting.mode } }),
      h('span', {}, describeThrottling(setting))),
    h('form', { class: 'form', onsubmit: save },
      h('div', { class: 'form-row' }, field('Mode', mode)), custom, problem,
      h('button', { class: 'button primary small', type: 'submit' }, 'Save')));
}

function loadThrottling(container) {
  section(container, 'Throttling is not available', 'GET /_localgraph/throttling', () => api.get(paths.throttling), (setting) => throttlingForm(container, setting));
}

function loadProfile(container) {
  section(container, 'The behaviour profile is not available', 'GET /_localgraph/profile', () => api.get(paths.profile), (setting) => {
    const select = h('select', { id: 'profile' },
      h('option', { value: 'documented' }, 'documented: as the seed documents answer'),
      h('option', { value: 'observed' }, 'observed: as real Intune answers today'));
    select.value = setting.profile;
    const problem = h('div');
    select.addEventListener('change', async () => {
      try {
        await api.send('PUT', paths.profile, { profile: select.value });
        loadProfile(container);
      } catch (error) {
        problem.replaceChildren(errorBox(error));
      }
    });
    return h('div', {},
      h('div', { class: 'setting' }, pill(setting.profile, 'info', { dataset: { profile: setting.profile } })),
      h('div', { class: 'form' }, field('Answer as', select), problem));
  });
}

function faultRow(rule, reload, problem) {
  const remove = async () => {
    try {
      await api.send('DELETE', `${paths.faults}/${encodeURIComponent(rule.id)}`);
      reload();
    } catch (error) {
      problem.replaceChildren(errorBox(error));
    }
  };
  return h('tr', { dataset: { fault: rule.id } },
    h('td', {}, rule.method || 'any'),
    h('td', { class: 'mono' }, rule.path),
    h('td', {}, rule.status ? pill(`${rule.status}${rule.code ? ` ${rule.code}` : ''}`, rule.status >= 500 ? 'error' : 'warning') : '–'),
    h('td', { class: 'num' }, rule.delayMs ? `${fmt.number(rule.delayMs)} ms` : '–'),
    h('td', { class: 'num' }, rule.retryAfter === null || rule.retryAfter === undefined ? '–' : `${rule.retryAfter} s`),
    h('td', { class: 'num' }, rule.remaining === null || rule.remaining === undefined ? 'every time' : fmt.number(rule.remaining)),
    h('td', { class: 'num' }, `${Math.round((rule.probability ?? 1) * 100)}%`),
    h('td', { class: 'num' }, h('button', { class: 'button small danger', type: 'button', onclick: remove }, 'Remove')));
}

function faultForm(reload) {
  const method = h('select', { id: 'fault-method' }, h('option', { value: '' }, 'any'),
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m)));
  const path = h('input', { id: 'fault-path', placeholder: 'deviceManagement/**', required: true });
  const status = h('input', { id: 'fault-status', type: 'number', min: 400, max: 599, placeholder: '503' });
  const delay = h('input', { id: 'fault-delay', type: 'number', min: 0, max: 120000, placeholder: '0' });
  const times = h('input', { id: 'fault-times', type: 'number', min: 1, placeholder: 'every time' });
  const problem = h('div');
  const add = async (event) => {
    event.preventDefault();
    const rule = { method: method.value || null, path: path.value.trim() };
    if (status.value) rule.status = Number(status.value);
    if (delay.value) rule.delayMs = Number(delay.value);
    if (times.value) rule.times = Number(times.value);
    try {
      await api.send('POST', paths.faults, rule);
      problem.replaceChildren();
      path.value = '';
      reload();
    } catch (error) {
      problem.replaceChildren(errorBox(error));
    }
  };
  return h('form', { class: 'form inline-form', onsubmit: add },
    h('div', { class: 'form-row' }, field('Method', method), field('Path pattern', path), field('Status', status),
      field('Delay (ms)', delay), field('Times', times),
      h('button', { class: 'button primary small', type: 'submit' }, 'Add rule')), problem);
}

function loadFaults(container) {
  const reload = () => loadFaults(container);
  section(container, 'Fault rules are not available', 'GET /_localgraph/faults', () => api.get(paths.faults), (page) => {
    const problem = h('div');
    const rules = page.value || [];
    return h('div', {},
      h('p', { class: 'muted' }, metric('faults.count', rules.length), rules.length === 1 ? ' rule, tried oldest first.' : ' rules, tried oldest first.'),
      rules.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'data', dataset: { table: 'faults' } },
        h('thead', {}, h('tr', {}, ['Method', 'Path', 'Answer', 'Delay', 'Retry-After', 'Uses left', 'Chance', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, rules.map((rule) => faultRow(rule, reload, problem))))) : h('div', { class: 'empty' }, 'No fault rule: every request runs normally.'),
      problem,
      h('h3', {}, 'Add a rule'),
      faultForm(reload));
  });
}

export function render(view) {
  const throttling = h('div');
  const profile = h('div');
  const faults = h('div');
  view.append(
    h('div', { class: 'grid two' },
      card('Throttling', { subtitle: '/_localgraph/throttling: this tenant, every node' }, throttling),
      card('Behaviour profile', { subtitle: '/_localgraph/profile' }, profile)),
    card('Fault rules', { subtitle: '/_localgraph/faults: scripted answers for matching Graph requests', wide: true }, faults));
  loadThrottling(throttling);
  loadProfile(profile);
  loadFaults(faults);
}
