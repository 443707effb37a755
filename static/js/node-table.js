// The graph's nodes as an accessible table (keyboard and screen readers), synced with selection.

import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';
import { formatCompact, formatShape } from './tensor-format.js';

function labelOf(node) {
  if (node.kind === 'function') return node.name;
  const names = node.names?.join(', ') || '';
  return node.grad_fn ? `${names}${names ? ' ' : ''}(${node.grad_fn})` : names || '—';
}

export function createNodeTable(container, { onSelect }) {
  const table = container.querySelector('table');
  const tbody = table.querySelector('tbody');

  function rows() {
    return [...tbody.querySelectorAll('tr')];
  }

  function focusRow(row) {
    if (!row) return;
    row.focus();
    onSelect(row.dataset.nodeId);
  }

  tbody.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) onSelect(row.dataset.nodeId);
  });
  tbody.addEventListener('keydown', (event) => {
    const row = event.target.closest('tr');
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

  function render(nodes, gradOf, selectedId) {
    replaceChildren(
      tbody,
      nodes.map((node) => {
        const grad = node.kind === 'tensor' ? gradOf(node.id) : null;
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
          h('td', {}, h('code', { text: labelOf(node) })),
          h('td', {}, h('code', { text: node.kind === 'tensor' ? formatShape(node.shape) : '' })),
          h('td', { dataset: { col: 'value' } }, h('code', { text: node.kind === 'tensor' ? formatCompact(node.value, 6, node.shape) : '' })),
          h('td', { dataset: { col: 'grad' } }, h('code', { text: node.kind === 'tensor' ? formatCompact(grad, 6, node.shape) : '' })),
        );
      }),
    );
  }

  function setSelected(id) {
    for (const row of rows()) {
      const selected = row.dataset.nodeId === id;
      row.setAttribute('aria-selected', selected ? 'true' : 'false');
      row.tabIndex = selected ? 0 : -1;
      if (selected) row.scrollIntoView({ block: 'nearest' });
    }
  }

  return { render, setSelected };
}
