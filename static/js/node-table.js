// The graph's nodes as an accessible table (keyboard and screen readers), synced with selection.

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { formatCount, t } from './i18n.js';
import { nodeCaption } from './node-names.js';
import { formatCompact, formatShape } from './tensor-format.js';

// A gradient cell: its data, or the text "None" (PyTorch's word) when there is none.
function gradText(grad, shape) {
  return grad === null || grad === undefined ? 'None' : formatCompact(grad, 6, shape);
}

// A 1,200-node graph is 1,200 rows: the table shows this many at a time.
export const ROWS_PER_PAGE = 100;

export function createNodeTable(container, { onSelect }) {
  const table = $(SELECTORS.table, container);
  const tbody = $(SELECTORS.tableBody, table);
  const pager = $(SELECTORS.nodePages, container);
  const prev = $(SELECTORS.nodesPrev, container);
  const next = $(SELECTORS.nodesNext, container);
  const pageStatus = $(SELECTORS.nodesPageStatus, container);
  let page = 0;
  let last = { nodes: [], grads: null, selectedId: null };
  prev.addEventListener('click', () => showPage(page - 1));
  next.addEventListener('click', () => showPage(page + 1));

  function showPage(index) {
    page = index;
    draw(last.nodes, last.grads, last.selectedId);
  }

  function rows() {
    return [...tbody.querySelectorAll(SELECTORS.tableRow)];
  }

  function focusRow(row) {
    if (!row) return;
    row.focus();
    onSelect(row.dataset.nodeId);
  }

  tbody.addEventListener('click', (event) => {
    const row = event.target.closest(SELECTORS.tableRow);
    if (row) onSelect(row.dataset.nodeId);
  });
  tbody.addEventListener('keydown', (event) => {
    const row = event.target.closest(SELECTORS.tableRow);
    if (!row) return;
    const all = rows();
    const index = all.indexOf(row);
    if (event.key === 'ArrowDown') focusRow(all[index + 1]);
    else if (event.key === 'ArrowUp') focusRow(all[index - 1]);
    else if (event.key === 'Home') focusRow(all[0]);
    else if (event.key === 'End') focusRow(all[all.length - 1]);
    else if (event.key === 'Enter' || event.key === ' ') onSelect(row.dataset.nodeId);
    else return;
    event.preventDefault();
  });

  // grads: {dotGrad(id), reached(id)} — `.grad` as PyTorch stores it, and the gradient that
  // reached the node in a backward pass; two columns, never merged.
  function render(nodes, grads, selectedId) {
    last = { nodes, grads, selectedId };
    const selectedAt = nodes.findIndex((node) => node.id === selectedId);
    if (selectedAt >= 0) page = Math.floor(selectedAt / ROWS_PER_PAGE);
    draw(nodes, grads, selectedId);
  }

  function draw(allNodes, grads, selectedId) {
    const pages = Math.max(1, Math.ceil(allNodes.length / ROWS_PER_PAGE));
    page = Math.max(0, Math.min(page, pages - 1));
    const from = page * ROWS_PER_PAGE;
    const nodes = allNodes.slice(from, from + ROWS_PER_PAGE);
    pager.hidden = pages === 1;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    const number = formatCount;
    pageStatus.textContent = t('nodes.page', {
      from: number(from + 1),
      to: number(from + nodes.length),
      total: number(allNodes.length),
    });
    replaceChildren(
      tbody,
      nodes.map((node) => {
        const tensor = node.kind === 'tensor';
        const selected = node.id === selectedId;
        return h(
          'tr',
          {
            tabindex: selected || (!selectedId && node === nodes[0]) ? '0' : '-1',
            'aria-selected': selected ? 'true' : 'false',
            class: `kind-${node.kind}`,
            dataset: {
              testid: 'node-row',
              nodeId: node.id,
              nodeNames: (node.names || []).join(' '),
              nodeKind: node.kind,
            },
          },
          h('th', { scope: 'row' }, h('code', { text: node.id })),
          h('td', { text: t(`kind.${node.kind}`) }),
          h(
            'td',
            { dataset: { field: 'name' } },
            h('code', { text: nodeCaption(node) }),
            tensor && node.grad_fn ? h('span', { class: 'muted', text: ` grad_fn=${node.grad_fn}` }) : null,
          ),
          h('td', {}, h('code', { text: tensor ? formatShape(node.shape) : '' })),
          h('td', { dataset: { col: 'value', field: 'value' } }, h('code', { text: tensor ? formatCompact(node.value, 6, node.shape) : '' })),
          h('td', { dataset: { col: 'grad', field: 'grad' } }, h('code', { text: tensor ? gradText(grads.dotGrad(node.id), node.shape) : '' })),
          h('td', { dataset: { field: 'reached' } }, h('code', { text: tensor ? gradText(grads.reached(node.id), node.shape) : '' })),
        );
      }),
    );
  }

  // One row is the table's tab stop (roving tabindex): the selected one, else the first.
  function setSelected(id) {
    // A node selected elsewhere (graph, variables) brings its page of the table up.
    const at = last.nodes.findIndex((node) => node.id === id);
    if (at >= 0 && Math.floor(at / ROWS_PER_PAGE) !== page) {
      last.selectedId = id;
      showPage(Math.floor(at / ROWS_PER_PAGE));
    }
    const all = rows();
    const stop = all.find((row) => row.dataset.nodeId === id) || all[0];
    for (const row of all) {
      const selected = row.dataset.nodeId === id;
      row.setAttribute('aria-selected', selected ? 'true' : 'false');
      row.tabIndex = row === stop ? 0 : -1;
      if (selected) row.scrollIntoView({ block: 'nearest' });
    }
  }

  return { render, setSelected, refresh: () => draw(last.nodes, last.grads, last.selectedId) };
}
