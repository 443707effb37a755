// The variables as a debugger shows them: every name bound so far at the timeline's statement,
// with its value and `.grad` as of that statement (changed ones highlighted), a module's
// parameters under it, and the output printed so far. Tensors link to their node.

import { $, SELECTORS } from './dom-hooks.js';
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

// `import torch` binds a namespace, not a variable (the result's `variables` leaves them out).
function isNamespace(value) {
  return value && typeof value === 'object' && value.kind === 'module' && String(value.repr).startsWith('<module');
}

// Names bound after timeline entry `index` (inclusive), and the names that entry changed.
export function bindingsAt(timeline, index) {
  const bindings = new Map();
  for (let i = 0; i <= index && i < timeline.length; i += 1) {
    for (const [name, value] of Object.entries(timeline[i].bindings || {})) {
      bindings.delete(name); // rebinding moves the name to the end, like a debugger's list
      if (!isNamespace(value)) bindings.set(name, value);
    }
  }
  return bindings;
}

function gradCode(grads, node) {
  const grad = grads.dotGrad(node.id);
  return h('code', {
    class: 'grad',
    dataset: { field: 'grad' },
    text: ` .grad = ${grad === null || grad === undefined ? 'None' : formatCompact(grad, 6, node.shape)}`,
  });
}

function tensorEntry(name, node, grads, changed, onSelect) {
  const showsGrad = node.requires_grad;
  return [
    h('dt', { class: changed ? 'changed' : null, dataset: { name } },
      h('button', { type: 'button', class: 'link', dataset: { nodeId: node.id }, onClick: () => onSelect(node.id), text: name })),
    h(
      'dd',
      { class: changed ? 'changed' : null, dataset: { name } },
      h('code', { dataset: { field: 'value' }, text: `${formatShape(node.shape)} = ${formatCompact(node.value, 6, node.shape)}` }),
      showsGrad ? gradCode(grads, node) : null,
    ),
  ];
}

/**
 * result, timelineIndex (null: no timeline, show finalBindings), final (the timeline stands at
 * its end: non-tensor values as the run ended, from finalBindings), nodesById,
 * grads ({dotGrad(id)}, grad-history.js), onSelect(nodeId).
 */
export function renderVariables(panel, { result, timelineIndex, finalBindings, final = false, nodesById, grads, onSelect }) {
  const body = $(SELECTORS.panelBody, panel);
  const timeline = result?.timeline || [];
  const atStep = timelineIndex !== null && timelineIndex !== undefined && timeline.length > 0;
  const bindings = atStep ? bindingsAt(timeline, timelineIndex) : new Map(Object.entries(finalBindings || {}));
  if (atStep && final) {
    // At the end, a non-tensor value as the run ended: objects of the program's classes show
    // their own __repr__ there (computed once the run was over), not the short `<Value object>`.
    for (const [name, value] of bindings) {
      const last = finalBindings?.[name];
      if (value && typeof value === 'object' && last && typeof last === 'object' && last.kind === value.kind) {
        bindings.set(name, last);
      }
    }
  }
  const entry = atStep ? timeline[timelineIndex] : null;
  const changedNames = new Set(Object.keys(entry?.bindings || {}));
  const changedNodes = new Set(Object.keys(entry?.grads || {}));
  const children = [];
  if (!bindings.size) {
    children.push(h('p', { class: 'muted', text: t('variables.none') }));
  } else {
    const allNodes = [...nodesById.values()];
    children.push(
      h(
        'dl',
        { class: 'variables' },
        [...bindings].flatMap(([name, bound]) => {
          const node = typeof bound === 'string' ? nodesById.get(bound) : null;
          if (node) {
            return tensorEntry(name, node, grads, changedNames.has(name) || changedNodes.has(node.id), onSelect);
          }
          const changed = changedNames.has(name);
          const rows = [
            h('dt', { class: changed ? 'changed' : null, dataset: { name } }, h('code', { text: name })),
            h('dd', { class: changed ? 'changed' : null, dataset: { name } }, h('code', { dataset: { field: 'value' }, text: describeValue(bound) })),
          ];
          // A module: its parameters (graph nodes named `name.weight` …) with their `.grad`.
          for (const parameter of allNodes.filter((n) => n.kind === 'tensor' && n.names?.some((p) => p.startsWith(`${name}.`)))) {
            const label = parameter.names.find((p) => p.startsWith(`${name}.`));
            rows.push(...tensorEntry(label, parameter, grads, changedNodes.has(parameter.id), onSelect));
          }
          return rows;
        }),
      ),
    );
  }
  if (atStep) {
    const printed = (result.stdout || '').slice(0, entry.stdout_len ?? undefined);
    children.push(h('h3', { class: 'so-far', text: t('variables.outputSoFar') }));
    children.push(h('pre', { class: 'stdout-so-far', dataset: { testid: 'output-so-far' }, tabindex: '0', text: printed || t('output.empty') }));
  }
  replaceChildren(body, children);
}
