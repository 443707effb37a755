// The Jacobian panel: for a backward call on a non-scalar output, J, the vector v passed to
// backward, and vᵀJ, checked against the leaf's .grad. Answers "what does the vector mean?".

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';
import { flatten, formatNumber, formatShape } from './tensor-format.js';

const MAX_CELLS_SHOWN = 400;

export function vectorJacobianProduct(v, matrix) {
  const columns = matrix[0]?.length ?? 0;
  const product = new Array(columns).fill(0);
  matrix.forEach((row, i) => row.forEach((cell, j) => (product[j] += v[i] * cell)));
  return product;
}

export function allClose(a, b, rtol = 1e-5, atol = 1e-6) {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= atol + rtol * Math.abs(b[i]));
}

function vectorRow(values, testid) {
  return h(
    'table',
    { class: 'matrix vector', dataset: { testid } },
    h('tbody', {}, h('tr', {}, values.map((value) => h('td', { text: formatNumber(value) })))),
  );
}

function matrixTable(matrix) {
  return h(
    'table',
    { class: 'matrix', dataset: { testid: 'jacobian-matrix' } },
    h('tbody', {}, matrix.map((row) => h('tr', {}, row.map((cell) => h('td', { class: cell === 0 ? 'zero' : '', text: formatNumber(cell) }))))),
  );
}

function nameOf(nodesById, id) {
  const node = nodesById.get(id);
  return node?.names?.length ? node.names[0] : id;
}

// The latest backward call that recorded a Jacobian, or the requested top-level jacobian.
function findJacobian(result) {
  const calls = result?.backward_trace || [];
  for (let index = calls.length - 1; index >= 0; index -= 1) {
    const call = calls[index];
    if (call.jacobians?.length) return { call, jacobian: call.jacobians[0] };
  }
  return null;
}

export function renderJacobianPanel(panel, result) {
  const body = $(SELECTORS.panelBody, panel);
  const found = findJacobian(result);
  if (!found) {
    panel.dataset.state = 'none';
    replaceChildren(body, h('p', { class: 'muted', text: t('jacobian.none') }));
    return;
  }
  const { call, jacobian } = found;
  const nodesById = new Map((result.graph?.nodes || []).map((node) => [node.id, node]));
  const root = nameOf(nodesById, call.roots[0]);
  const input = nameOf(nodesById, jacobian.input);
  const v = flatten(call.root_grads?.[0] ?? []);
  const matrix = jacobian.matrix || [];
  const product = vectorJacobianProduct(v, matrix);
  const grad = flatten(call.leaf_grads?.[jacobian.input] ?? []);
  const equal = allClose(product, grad);
  panel.dataset.state = equal ? 'equal' : 'different';
  const cells = matrix.length * (matrix[0]?.length ?? 0);
  replaceChildren(
    body,
    h('p', { text: t('jacobian.intro', { root, input }) }),
    h('h4', { text: t('jacobian.v') }),
    vectorRow(v, 'jacobian-v'),
    h('h4', { text: t('jacobian.matrix', { root, input, shape: formatShape(jacobian.shape) }) }),
    cells <= MAX_CELLS_SHOWN ? matrixTable(matrix) : h('p', { class: 'muted', text: t('jacobian.tooBig') }),
    h('h4', { text: t('jacobian.product') }),
    vectorRow(product, 'jacobian-vjp'),
    h('h4', { text: t('jacobian.grad', { input }) }),
    vectorRow(grad, 'jacobian-grad'),
    h('p', {
      class: equal ? 'check ok' : 'check warn',
      dataset: { testid: 'jacobian-check' },
      text: equal ? t('jacobian.equal', { input }) : t('jacobian.notEqual', { input }),
    }),
  );
}
