// The variables bound after the statement the timeline shows (tensors link to their node).

import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';
import { formatCompact, formatShape } from './tensor-format.js';

// A Value the server cut (`truncated`) ends in "…": an empty list or string would mislead.
function describeValue(value) {
  if (value === null || typeof value !== 'object') return String(value);
  const more = value.truncated ? '…' : '';
  if ('value' in value) return `${String(value.value)}${more}`;
  if (value.items) return `[${[...value.items.map(describeValue), ...(more ? [more] : [])].join(', ')}]`;
  return value.repr ?? value.kind ?? '';
}

export function renderVariables(panel, { bindings, nodesById, gradOf, onSelect }) {
  const body = panel.querySelector('.panel-body');
  const names = Object.keys(bindings || {});
  if (!names.length) {
    replaceChildren(body, h('p', { class: 'muted', text: t('variables.none') }));
    return;
  }
  replaceChildren(
    body,
    h(
      'dl',
      { class: 'variables' },
      names.flatMap((name) => {
        const bound = bindings[name];
        const node = typeof bound === 'string' ? nodesById.get(bound) : null;
        if (!node) return [h('dt', {}, h('code', { text: name })), h('dd', {}, h('code', { text: describeValue(bound) }))];
        const grad = gradOf(node.id);
        return [
          h('dt', {}, h('button', { type: 'button', class: 'link', dataset: { nodeId: node.id }, onClick: () => onSelect(node.id), text: name })),
          h(
            'dd',
            {},
            h('code', { text: `${formatShape(node.shape)} = ${formatCompact(node.value, 6)}` }),
            grad !== null && grad !== undefined ? h('code', { class: 'grad', text: ` ∇ ${formatCompact(grad, 6)}` }) : null,
          ),
        ];
      }),
    ),
  );
}
