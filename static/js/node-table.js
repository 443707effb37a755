// The graph's nodes as an accessible table (keyboard and screen readers), synced with selection.

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';
import { nodeCaption } from './node-names.js';
import { formatCompact, formatShape } from './tensor-format.js';

// A gradient cell: its data, or the text "None" (PyTorch's word) when there is none.
function gradText(grad, shape) {
  return grad === null || grad === undefined ? 'None' : formatCompact(grad, 6, shape);
}

export function createNodeTable(container, { onSelect }) {
  const table = $(SELECTORS.table, container);
  const tbody = $(SELECTORS.tableBody, table);

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
    const all = rows();
    const stop = all.find((row) => row.dataset.nodeId === id) || all[0];
    for (const row of all) {
      const selected = row.dataset.nodeId === id;
      row.setAttribute('aria-selected', selected ? 'true' : 'false');
      row.tabIndex = row === stop ? 0 : -1;
      if (selected) row.scrollIntoView({ block: 'nearest' });
    }
  }

  return { render, setSelected };
}
