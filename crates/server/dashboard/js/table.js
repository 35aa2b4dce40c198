// A table of one collection, read a page at a time: the first page from a URL (with
// `$top` and `$count=true`), the next ones from `@odata.nextLink`, earlier ones again from
// the links already followed. Nothing is read beyond the page shown.

import { api } from './api.js';
import { errorBox, fmt, h, loading } from './dom.js';

/**
 * columns: [{ title, cell: (row) => node or text, class }]
 * options: { name (for data-table), empty (text when there are no rows), onRow (click),
 *   onPage (called with each page's rows), selected (the id of the row to highlight) }
 * Returns { element, load(url), highlight(id) }.
 */
export function pagedTable(columns, { name, empty = 'Nothing to show.', onRow, onPage, selected } = {}) {
  // The same pager above the table and below it.
  const pagers = ['top', 'bottom'].map((where) => {
    const status = h('div', { class: 'pager-status muted' });
    const previous = h('button', { class: 'button small', type: 'button', disabled: true }, '‹ Previous');
    const next = h('button', { class: 'button small', type: 'button', disabled: true }, 'Next ›');
    const bar = h('div', { class: `pager pager-${where}` }, status, h('div', { class: 'pager-buttons' }, previous, next));
    return { status, previous, next, bar };
  });
  const body = h('tbody');
  const table = h('table', { class: onRow ? 'data clickable' : 'data', dataset: { table: name || '' } },
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { class: column.class }, column.title)))),
    body);
  const message = h('div', { class: 'table-message' });
  const element = h('div', { class: 'paged' },
    pagers[0].bar, h('div', { class: 'table-scroll' }, table), message, pagers[1].bar);

  // The links of the pages shown so far, and how many rows came before each.
  let trail = [];
  let total = null;
  let current = null;
  let generation = 0;

  async function show(url, offset) {
    const mine = ++generation;
    element.classList.add('busy');
    if (!body.children.length) message.replaceChildren(loading());
    try {
      const page = await api.get(url);
      if (mine !== generation) return;
      if (typeof page['@odata.count'] === 'number') total = page['@odata.count'];
      current = { url, offset, next: page['@odata.nextLink'] || null, rows: page.value };
      body.replaceChildren(...page.value.map((row) => h('tr', {
        class: selected && row.id === selected ? 'selected' : null,
        dataset: { id: row.id },
        onclick: onRow ? () => onRow(row) : null,
        tabindex: onRow ? 0 : null,
        onkeydown: onRow ? (event) => { if (event.key === 'Enter') onRow(row); } : null,
      }, columns.map((column) => h('td', { class: column.class }, column.cell(row))))));
      message.replaceChildren(page.value.length ? '' : h('div', { class: 'empty' }, empty));
      const first = page.value.length ? offset + 1 : 0;
      const last = offset + page.value.length;
      pagers.forEach((pager, i) => {
        pager.status.replaceChildren(
          page.value.length ? `Rows ${fmt.number(first)}–${fmt.number(last)}` : 'No rows',
          total !== null ? h('span', {}, ' of ', h('span', {
            class: 'num', dataset: i === 0 ? { metric: `${name}.count` } : {},
          }, fmt.number(total))) : '',
        );
        pager.previous.disabled = trail.length === 0;
        pager.next.disabled = !current.next;
      });
      // One pager is enough for a short page.
      pagers[1].bar.hidden = page.value.length < 10;
      if (onPage) onPage(page.value);
    } catch (error) {
      if (mine !== generation) return;
      if (!('status' in error)) console.error(error);
      body.replaceChildren();
      message.replaceChildren(errorBox(error, { retry: () => show(url, offset) }));
    } finally {
      if (mine === generation) element.classList.remove('busy');
    }
  }

  for (const pager of pagers) {
    pager.next.addEventListener('click', () => {
      if (!current || !current.next) return;
      trail.push(current);
      show(current.next, current.offset + current.rows.length);
    });
    pager.previous.addEventListener('click', () => {
      const back = trail.pop();
      if (back) show(back.url, back.offset);
    });
  }

  return {
    element,
    /** Marks the row of entity `id` as the selected one. */
    highlight(id) {
      selected = id;
      for (const tr of body.children) tr.classList.toggle('selected', tr.dataset.id === id);
    },
    /** Starts again at the first page of `url`. */
    load(url) {
      trail = [];
      total = null;
      body.replaceChildren();
      return show(url, 0);
    },
  };
}
