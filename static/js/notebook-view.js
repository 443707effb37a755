// The notebook's view of one RunResult: the page's own modules (graph, inspector with "why this
// gradient", backward replay, timeline, Jacobian panel, output) wired to one root element
// instead of the page's document, so several views live side by side in a notebook. Loaded by
// notebook-loader.js from the installed package (autograd_playground/render.py); the page
// itself never loads it. The drawn root carries data-graph-nodes / data-graph-state as the
// page's body does.

import { createBackwardPlayer } from './backward-player.js';
import { flattenSteps, stepsDoneByTimelineIndex } from './backward-replay-state.js';
import { $, SELECTORS } from './dom-hooks.js';
import { h } from './element.js';
import { buildGraphModel, foldedGroup, modelNodeFor } from './graph-model.js';
import { createGraphView } from './graph-view.js';
import { applyTranslations, formatCount, setLanguage, t } from './i18n.js';
import { renderInspector } from './inspector.js';
import { renderJacobianPanel } from './jacobian-panel.js';
import { renderOutput } from './output-panel.js';
import { createTimeline } from './timeline.js';
import { renderTruncationNotes } from './truncation-notes.js';
import { currentView, gradAccessors, nodesById } from './view-state.js';

function panel(testid, titleKey, ...children) {
  return h('section', { class: `agp-panel panel`, 'data-testid': testid }, h('h3', { 'data-i18n': titleKey }), ...children);
}

function skeleton() {
  return [
    panel(
      'output',
      'output.title',
      h('div', { class: 'error', 'data-testid': 'error', role: 'alert', hidden: true }),
      h('pre', { class: 'stdout', 'data-testid': 'stdout' }),
      h('p', { class: 'truncation-note muted', 'data-testid': 'stdout-note', role: 'status', hidden: true }),
      h('p', { class: 'truncation-note muted', 'data-testid': 'result-note', role: 'status', hidden: true }),
      h('p', { class: 'seed-note muted', 'data-testid': 'seed-note', hidden: true }),
      h('div', { class: 'warnings', 'data-testid': 'warnings', hidden: true }),
    ),
    panel(
      'graph-panel',
      'graph.title',
      h('p', { class: 'graph-summary muted', 'data-testid': 'graph-summary' }),
      h('p', { class: 'truncation-note muted', 'data-testid': 'graph-note', role: 'status', hidden: true }),
      h('div', { class: 'graph agp-graph', 'data-testid': 'graph', 'data-empty': 'true', role: 'img' }),
    ),
    h(
      'div',
      { class: 'agp-steppers' },
      h(
        'section',
        { class: 'agp-panel panel', 'data-testid': 'timeline-panel' },
        h('h3', { 'data-i18n': 'timeline.title' }),
        h(
          'div',
          { class: 'timeline-row' },
          h('button', { type: 'button', 'data-testid': 'timeline-prev', text: '◀' }),
          h('input', { type: 'range', 'data-testid': 'timeline', min: '0', max: '0', value: '0', disabled: true }),
          h('button', { type: 'button', 'data-testid': 'timeline-next', text: '▶' }),
        ),
        h('p', { class: 'status', 'data-testid': 'timeline-status' }),
        h('p', { class: 'truncation-note muted', 'data-testid': 'timeline-note', role: 'status', hidden: true }),
      ),
      h(
        'section',
        { class: 'agp-panel panel', 'data-testid': 'backward-panel' },
        h('h3', { 'data-i18n': 'backward.title' }),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', 'data-testid': 'reset-backward', 'data-i18n': 'backward.reset' }),
          h('button', { type: 'button', 'data-testid': 'step-back', 'data-i18n': 'backward.stepBack' }),
          h('button', { type: 'button', 'data-testid': 'play-backward', 'data-i18n': 'backward.play' }),
          h('button', { type: 'button', 'data-testid': 'step-backward', 'data-i18n': 'backward.step' }),
        ),
        h('p', { class: 'status', 'data-testid': 'backward-status' }),
        h('p', { class: 'truncation-note muted', 'data-testid': 'backward-note', role: 'status', hidden: true }),
      ),
    ),
    h(
      'div',
      { class: 'agp-panels' },
      h(
        'section',
        { class: 'agp-panel panel', 'data-testid': 'inspector' },
        h('h3', { 'data-i18n': 'inspector.title' }),
        h('div', { class: 'panel-body' }, h('p', { class: 'muted', 'data-i18n': 'inspector.empty' })),
      ),
      h('section', { class: 'agp-panel panel', 'data-testid': 'jacobian' }, h('h3', { 'data-i18n': 'jacobian.title' }), h('div', { class: 'panel-body' })),
    ),
  ];
}

export function mountView(root, result, { lang = 'en' } = {}) {
  const pageLang = document.documentElement.lang;
  setLanguage(lang, { remember: false });
  document.documentElement.lang = pageLang; // the notebook page keeps its own language
  root.replaceChildren(...skeleton());
  root.dataset.lang = lang;
  // Focusable (by click, not an extra Tab stop: its controls are reachable already) so that
  // Alt+←/→ step this view's timeline only when the key press happens inside it.
  root.tabIndex = -1;
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', t('view.label'));
  applyTranslations(root);
  const find = (selector) => $(selector, root);
  const timelineLength = result?.timeline?.length || 0;
  const state = {
    result,
    selectedId: null,
    timelineIndex: Math.max(0, timelineLength - 1),
    replay: { replaying: false, applied: 0 },
    callChoice: 'last',
    model: null,
  };

  function renderSelection(grads) {
    const id = state.selectedId;
    root.dataset.selectedNode = id || '';
    renderInspector(find(SELECTORS.inspector), {
      result,
      nodeId: id,
      grads,
      replaying: state.replay.replaying,
      applied: state.replay.replaying
        ? state.replay.applied
        : state.timelineIndex >= timelineLength - 1
          ? null
          : stepsDoneByTimelineIndex(result, state.timelineIndex),
      collapsedGroup: foldedGroup(state.model, id),
    });
    graphView.select(id && state.model ? modelNodeFor(state.model, id) ?? id : null);
  }

  function selectNode(id) {
    state.selectedId = id;
    renderSelection(gradAccessors(state, currentView(state)));
  }

  function draw() {
    const view = currentView(state);
    const grads = gradAccessors(state, view);
    state.model = buildGraphModel(result, {
      visible: view.visible,
      collapse: true,
      modules: true, // each nn.Module call folded into one box, as on the page
      grads,
      edgeGrad: grads.edgeGrad,
      activeNode: view.gradState.activeNode,
      activeEdges: view.gradState.activeEdges,
      labels: t,
    });
    graphView.render(state.model);
    const count = state.model.nodes.length;
    find(SELECTORS.graph).dataset.empty = count === 0 ? 'true' : 'false';
    let summary = t('scope.all', { shown: formatCount((result.graph?.nodes || []).length) });
    if (result.graph?.modules_truncated) {
      summary += t('scope.modulesTruncated', { count: formatCount(result.limits?.graph_nodes ?? 0) });
    }
    find(SELECTORS.graphSummary).textContent = summary;
    root.dataset.graphNodes = String(count);
    root.dataset.graphState = count ? 'drawn' : 'empty';
    renderSelection(grads);
  }

  const graphView = createGraphView(find(SELECTORS.graph), { onSelect: selectNode, maxHeight: () => 520 });
  renderOutput(find(SELECTORS.output), result, null, { source: '', seed: result?.seed ?? 0 });
  renderTruncationNotes(root, result);
  const timeline = createTimeline(find(SELECTORS.timelinePanel), {
    keyScope: root,
    onChange: (index) => {
      state.timelineIndex = index;
      state.replay = { replaying: false, applied: 0 };
      draw();
    },
  });
  timeline.load(result?.timeline || []);
  const player = createBackwardPlayer(find(SELECTORS.backwardPanel), {
    onChange: (replay) => {
      state.replay = replay;
      draw();
    },
  });
  player.load(flattenSteps(result || {}).length);
  renderJacobianPanel(find(SELECTORS.jacobian), result);
  if (!nodesById(result).size) root.dataset.graphState = 'empty';
  draw();
  return { select: selectNode, graphView };
}
