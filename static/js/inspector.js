// The inspector panel: everything about the selected node, and "why this gradient".

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';
import { nodeCaption, tensorName } from './node-names.js';
import { formatPretty, formatShape } from './tensor-format.js';
import { explainGradient, formulaFor, isProgramFunction, programBackward } from './why-gradient.js';

// MulBackward0 ∘ MulBackward0 ∘ MulBackward0 reads as MulBackward0 ×3.
function compressOps(ops) {
  const runs = [];
  for (const op of ops) {
    const last = runs[runs.length - 1];
    if (last && last.op === op) last.count += 1;
    else runs.push({ op, count: 1 });
  }
  return runs.map((run) => (run.count > 1 ? `${run.op} ×${run.count}` : run.op)).join(' ∘ ');
}

function row(label, ...value) {
  return [h('dt', { text: label }), h('dd', {}, ...value)];
}

function flag(name, on) {
  return h('span', { class: `flag ${on ? 'on' : 'off'}`, dataset: { flag: name } }, `${name}=${on ? 'True' : 'False'}`);
}

function savedTensors(node, nodesById) {
  if (!node.saved?.length) return h('span', { class: 'muted', text: t('inspector.savedNone') });
  return h(
    'ul',
    { class: 'saved' },
    node.saved.map((saved) => {
      const source = saved.node ? nodesById.get(saved.node) : null;
      const where = source ? ` (${nodeCaption(source)})` : saved.node ? ` (${saved.node})` : '';
      return h(
        'li',
        {},
        h('code', { text: `${saved.name}${where} ${formatShape(saved.shape)}` }),
        h('pre', { class: 'tensor small', text: formatPretty(saved.value, 0, saved.shape) }),
      );
    }),
  );
}

// A node of a program's torch.autograd.Function: its rule is the program's backward, and the
// numbers are those the backward trace recorded when the engine called it.
function programRule(program) {
  const sentences = [
    h('p', { class: 'program-rule', dataset: { testid: 'program-rule' }, text: t('why.programRule', { name: program.name, line: program.line }) }),
  ];
  if (program.status === 'ok') {
    sentences.push(
      h('p', {
        class: 'program-numbers',
        dataset: { testid: 'program-numbers', call: String(program.callIndex + 1) },
        text: t('why.programNumbers', { call: program.callIndex + 1, in: program.inText, out: program.outText }),
      }),
    );
  } else {
    const key = program.status === 'not-yet' ? 'why.programNotYet' : 'why.programNoBackward';
    sentences.push(h('p', { class: 'muted', dataset: { testid: 'program-numbers' }, text: t(key) }));
  }
  return sentences;
}

function formulaItem(formula) {
  if (!formula.programRules?.length) {
    return [h('li', {}, h('code', { text: formula.op }), `: ${formula.formula || '—'}`)];
  }
  return formula.programRules.map((rule) =>
    h(
      'li',
      { dataset: { programLine: String(rule.line) } },
      h('code', { text: formula.op }),
      `: ${t('why.programFormula', { line: rule.line, in: rule.inText, out: rule.outText })}`,
    ),
  );
}

function whyGradient(result, node, applied, functionNode = null) {
  const explanation = explainGradient(result, node.id, { applied });
  const section = h('section', { class: 'why', dataset: { testid: 'why-gradient', status: explanation.status } });
  section.append(h('h3', { text: t('why.title') }));
  const program = functionNode ? programBackward(result, functionNode.id, { applied }) : null;
  if (program) section.append(...programRule(program));
  if (explanation.status === 'no-backward') {
    section.append(h('p', { class: 'muted', text: t('why.noBackward') }));
    return section;
  }
  if (explanation.status === 'not-yet') {
    section.append(h('p', { class: 'muted', text: t('why.notYet') }));
    return section;
  }
  if (explanation.status === 'no-path') {
    section.append(h('p', { class: 'muted', text: t('why.noPath') }));
    return section;
  }
  const { root } = explanation;
  section.append(h('p', { text: t('why.intro', { root, node: explanation.node }) }));
  const list = h('ol', { class: 'chain' });
  list.append(
    h(
      'li',
      { dataset: { hop: 'seed' } },
      explanation.scalarRoot
        ? t('why.seed', { root, value: explanation.rootGradText })
        : t('why.seedVector', { value: explanation.rootGradText }),
    ),
  );
  for (const hop of explanation.hops) {
    const value = hop.ratio
      ? hop.ratio.uniform
        ? hop.ratio.display
        : `[${hop.ratio.value.map((r) => Number(r.toPrecision(5))).join(', ')}] (${t('why.perElement')})`
      : '…';
    const item = h(
      'li',
      { dataset: { hop: `${hop.upper}->${hop.lower}` } },
      h('span', { class: 'derivative', text: `∂${hop.upper}/∂${hop.lower} = ${value}` }),
    );
    if (hop.formulas.length) {
      item.append(
        h(
          'span',
          { class: 'via' },
          ' — ',
          t('why.via', { ops: compressOps(hop.ops) }),
          h(
            'ul',
            { class: 'formulas' },
            hop.formulas.flatMap(formulaItem),
          ),
        ),
      );
    }
    list.append(item);
  }
  section.append(list);
  // A leaf's chain ends in its .grad (what AccumulateGrad writes); an intermediate's ends in the
  // gradient that reached it, which PyTorch does not keep unless retain_grad() was called.
  const resultKey = explanation.isLeaf ? 'why.result' : 'why.resultReached';
  section.append(
    h('p', { class: 'result', dataset: { testid: 'why-result' } },
      t(resultKey, { root, node: explanation.node, product: explanation.product, value: explanation.valueText })),
  );
  if (explanation.accumulatedCalls > 1) {
    section.append(h('p', { class: 'note', text: t('why.accumulated', { count: explanation.accumulatedCalls }) }));
  }
  return section;
}

function gradSections(node, grads) {
  const name = tensorName(node);
  const dotGrad = grads.dotGrad(node.id);
  const reached = grads.reached(node.id);
  const none = (value) => value === null || value === undefined;
  const sections = [
    h('h4', {}, h('code', { text: `${name}.grad` }), ' ', h('span', { class: 'muted', text: t('inspector.gradWhat') })),
    h('pre', {
      class: 'tensor',
      dataset: { testid: 'inspector-grad', field: 'grad' },
      text: none(dotGrad) ? 'None' : formatPretty(dotGrad, 0, node.shape),
    }),
  ];
  if (none(reached)) {
    sections.push(h('p', { class: 'muted', dataset: { testid: 'inspector-reached' }, text: t('inspector.reachedNone') }));
    return sections;
  }
  const root = grads.rootName(node.id);
  sections.push(
    h('h4', {}, h('code', { text: `∂${root}/∂${name}` }), ' ', h('span', { class: 'muted', text: t('inspector.reachedWhat', { node: name }) })),
    h('pre', { class: 'tensor', dataset: { testid: 'inspector-reached', field: 'reached' }, text: formatPretty(reached, 0, node.shape) }),
  );
  if (none(dotGrad) && !node.is_leaf) {
    sections.push(h('p', { class: 'note', dataset: { testid: 'grad-note' }, text: t('inspector.reachedNoGrad', { root, node: name }) }));
  } else if (!none(dotGrad) && JSON.stringify(dotGrad) !== JSON.stringify(reached)) {
    sections.push(h('p', { class: 'note', dataset: { testid: 'grad-note' }, text: t('inspector.accumulatedGrad', { node: name }) }));
  }
  return sections;
}

export function renderInspector(panel, { result, nodeId, grads, applied = null, collapsedGroup }) {
  const body = $(SELECTORS.panelBody, panel);
  panel.dataset.nodeId = nodeId || '';
  if (collapsedGroup) {
    const key = collapsedGroup.kind === 'module' ? 'inspector.module' : 'inspector.collapsed';
    replaceChildren(body, h('p', { text: t(key, collapsedGroup) }));
    return;
  }
  const nodesById = new Map((result?.graph?.nodes || []).map((node) => [node.id, node]));
  const node = nodesById.get(nodeId);
  if (!node) {
    replaceChildren(body, h('p', { class: 'muted', text: t('inspector.empty') }));
    return;
  }
  const details = h('dl', { class: 'facts' });
  const children = [];
  if (node.kind === 'function') {
    children.push(h('h3', {}, h('code', { text: node.name }), h('span', { class: 'muted', text: ` ${node.id}` })));
    const output = nodesById.get(node.tensor);
    details.append(
      ...row(t('inspector.line'), String(node.line ?? '—')),
      ...row(t('inspector.tensor'), output ? nodeCaption(output) : '—'),
      ...row('∂', h('span', {
        text: isProgramFunction(node) ? t('why.programRuleShort', { line: node.backward_line }) : formulaFor(node.name) || '—',
      })),
      ...row(t('inspector.saved'), savedTensors(node, nodesById)),
    );
    children.push(details);
    if (output) children.push(whyGradient(result, output, applied, node));
    else if (isProgramFunction(node)) {
      const section = h('section', { class: 'why', dataset: { testid: 'why-gradient' } }, h('h3', { text: t('why.title') }));
      section.append(...programRule(programBackward(result, node.id, { applied })));
      children.push(section);
    }
  } else {
    const title = nodeCaption(node);
    children.push(h('h3', {}, h('code', { text: title }), h('span', { class: 'muted', text: ` ${node.id}` })));
    const gradFn = node.grad_fn_node ? nodesById.get(node.grad_fn_node) : null;
    details.append(
      ...row(t('inspector.shape'), h('code', { text: formatShape(node.shape) })),
      ...row(t('inspector.dtype'), h('code', { text: `torch.${node.dtype}` })),
      ...row(
        t('inspector.flags'),
        flag('requires_grad', node.requires_grad),
        ' ',
        flag('is_leaf', node.is_leaf),
        ' ',
        flag('retains_grad', Boolean(node.retains_grad)),
      ),
      ...row(t('inspector.gradFn'), h('code', { text: node.grad_fn || 'None' })),
      ...row(t('inspector.line'), String(node.line ?? '—')),
    );
    if (gradFn) details.append(...row(t('inspector.saved'), savedTensors(gradFn, nodesById)));
    children.push(details);
    children.push(h('h4', { text: t('inspector.value') }));
    children.push(h('pre', { class: 'tensor', dataset: { testid: 'inspector-value' }, text: formatPretty(node.value, 0, node.shape) }));
    children.push(...gradSections(node, grads));
    if (node.requires_grad) children.push(whyGradient(result, node, applied));
  }
  replaceChildren(body, children);
}
