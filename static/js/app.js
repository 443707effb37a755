// The page controller: owns the page state (one run result + what is shown of it) and wires the
// modules together. Everything shown comes from one RunResult; stepping asks the server nothing.

import { fetchExamples, runProgram } from './api.js';
import { createBackwardPlayer } from './backward-player.js';
import { flattenSteps, stepsDoneByTimelineIndex } from './backward-replay-state.js';
import { $, BODY_STATE, EVENTS, RUN_STATES, SELECTORS, emit, setBodyState } from './dom-hooks.js';
import { createEditor } from './editor.js';
import { createExamplesMenu } from './examples-menu.js';
import { buildGraphModel, foldedGroup, modelNodeFor } from './graph-model.js';
import { createGraphView } from './graph-view.js';
import { LANGUAGES, applyTranslations, detectLanguage, formatCount, getLanguage, setLanguage, t } from './i18n.js';
import { h, replaceChildren } from './element.js';
import { renderInspector } from './inspector.js';
import { renderJacobianPanel } from './jacobian-panel.js';
import { createNodeTable } from './node-table.js';
import { renderOutput } from './output-panel.js';
import { copyText, download, permalinkUrl, readPermalink, rememberInAddressBar } from './share.js';
import { createTimeline } from './timeline.js';
import { renderTruncationNotes } from './truncation-notes.js';
import { formatCompact } from './tensor-format.js';
import { renderVariables } from './variables-panel.js';
import { currentView as currentViewOf, gradAccessors as gradAccessorsOf, nodesById as nodesByIdOf } from './view-state.js';

const state = {
  result: null,
  selectedId: null,
  timelineIndex: 0,
  replay: { replaying: false, applied: 0 },
  collapse: true,
  modules: true, // fold each nn.Module call's nodes into one box
  model: null,
  ran: { source: '', seed: 0 }, // the program and seed of the result shown
  callChoice: 'last', // which backward call's graph to show: 'last', 'all' or an index
};

const params = new URLSearchParams(window.location.search);
const embed = params.get('embed') === '1';

function nodesById() {
  return nodesByIdOf(state.result);
}

function currentView() {
  return currentViewOf(state);
}

function gradAccessors(view) {
  return gradAccessorsOf(state, view);
}

let runCount = 0;
let graphView;
let nodeTable;
let timeline;
let player;
let editor;
let examplesMenu;

function drawGraph() {
  const result = state.result;
  if (!result) return;
  const view = currentView();
  const grads = gradAccessors(view);
  state.model = buildGraphModel(result, {
    visible: view.visible,
    collapse: state.collapse,
    modules: state.modules,
    grads,
    edgeGrad: grads.edgeGrad,
    activeNode: view.gradState.activeNode,
    activeEdges: view.gradState.activeEdges,
    labels: t,
  });
  const started = performance.now();
  graphView.render(state.model);
  const ms = performance.now() - started;
  $(SELECTORS.direction).checked = graphView.direction() === 'TB';
  const count = state.model.nodes.length;
  $(SELECTORS.graph).dataset.empty = count === 0 ? 'true' : 'false';
  // The folded module boxes' names, one per line (for tests and embedders).
  $(SELECTORS.graph).dataset.moduleBoxes = state.model.nodes
    .filter((node) => node.kind === 'module')
    .map((node) => node.label)
    .join('\n');
  setBodyState(BODY_STATE.graphNodes, count);
  setBodyState(BODY_STATE.graphState, count ? 'drawn' : 'empty');
  emit(EVENTS.graphDrawn, { nodes: count, ms, started });

  const visibleNodes = (result.graph?.nodes || []).filter((node) => !view.visible || view.visible.has(node.id));
  renderScope(view, visibleNodes.length, count);
  nodeTable.render(visibleNodes, grads, state.selectedId);
  const entry = result.timeline?.[state.timelineIndex];
  renderVariables($(SELECTORS.variables), {
    result,
    timelineIndex: view.final && !result.timeline?.length ? null : state.timelineIndex,
    finalBindings: variablesAsBindings(result),
    final: view.final,
    nodesById: nodesById(),
    grads,
    onSelect: selectNode,
  });
  renderSelection(grads);
  renderBackwardStatus(view);
  if (state.replay.replaying) {
    editor.markCurrentLine(view.gradState.current?.call.line ?? null);
  } else {
    editor.markCurrentLine(entry?.line ?? null);
  }
}

// The backward-call selector, and one sentence saying what the graph shows and what it hides.
function renderCallChoices() {
  const select = $(SELECTORS.backwardCall);
  const calls = state.result?.backward_trace || [];
  replaceChildren(
    select,
    h('option', { value: 'last', text: t('scope.last') }),
    calls.map((call, index) => h('option', { value: String(index), text: t('scope.callOption', { call: index + 1, line: call.line ?? '—' }) })),
    h('option', { value: 'all', text: t('scope.allOption') }),
  );
  select.value = state.callChoice;
  select.disabled = calls.length === 0;
}

function renderScope(view, shown, drawn) {
  const result = state.result;
  const all = (result.graph?.nodes || []).filter((node) => !view.allVisible || view.allVisible.has(node.id)).length;
  const number = formatCount;
  const calls = result.backward_trace || [];
  let text;
  if (view.callIndex !== null && view.callIndex !== undefined) {
    const call = calls[view.callIndex];
    const params = { call: view.callIndex + 1, total: calls.length, line: call?.line ?? '—', shown: number(shown), hidden: number(all - shown) };
    text = t(all > shown ? 'scope.call' : 'scope.callNoneHidden', params);
  } else {
    text = t('scope.all', { shown: number(shown) });
  }
  if (drawn < shown) {
    const modules = state.model?.nodes.some((node) => node.kind === 'module');
    text += t(modules ? 'scope.foldedModules' : 'scope.folded', { drawn: number(drawn) });
  }
  if (result.graph?.modules_truncated) {
    text += t('scope.modulesTruncated', { count: number(result.limits?.graph_nodes ?? 0) });
  }
  $(SELECTORS.graphSummary).textContent = text;
}

// Final variables from the result (names → node ids or plain values), like a timeline binding.
function variablesAsBindings(result) {
  const bindings = {};
  for (const [name, value] of Object.entries(result.variables || {})) {
    bindings[name] = value.kind === 'tensor' && value.node ? value.node : value;
  }
  return bindings;
}

function renderBackwardStatus(view) {
  const status = $(SELECTORS.backwardStatus);
  const current = view.gradState.current;
  if (!state.replay.replaying || !current) return;
  if (state.replay.applied >= view.gradState.total) {
    status.textContent = `${status.textContent} — ${t('backward.finished')}`;
    return;
  }
  status.textContent += ` — ${t('backward.active', {
    call: current.callIndex + 1,
    line: current.call.line,
    name: current.step.name,
    grad: formatCompact(current.step.grads_in?.[0], 6),
  })}`;
}

// How many backward steps had run by the statement the timeline shows (all at the end).
function stepsShownByTimeline() {
  const result = state.result;
  const timeline = result?.timeline || [];
  if (state.timelineIndex >= timeline.length - 1) return null;
  return stepsDoneByTimelineIndex(result, state.timelineIndex);
}

function renderSelection(grads) {
  const id = state.selectedId;
  setBodyState(BODY_STATE.selectedNode, id || '');
  const collapsedGroup = foldedGroup(state.model, id);
  renderInspector($(SELECTORS.inspector), {
    result: state.result,
    nodeId: id,
    grads,
    replaying: state.replay.replaying,
    applied: state.replay.replaying ? state.replay.applied : stepsShownByTimeline(),
    collapsedGroup,
  });
  nodeTable.setSelected(id);
  graphView.select(id && state.model ? modelNodeFor(state.model, id) ?? id : null);
}

function selectNode(id) {
  state.selectedId = id;
  renderSelection(gradAccessors(currentView()));
  emit(EVENTS.nodeSelected, { nodeId: id });
}

function showResult(result, networkError = null) {
  state.result = result;
  state.replay = { replaying: false, applied: 0 };
  const timelineLength = result?.timeline?.length || 0;
  state.timelineIndex = Math.max(0, timelineLength - 1);
  setBodyState(BODY_STATE.timelineStep, state.timelineIndex);
  const byId = nodesById();
  if (!byId.has(state.selectedId)) state.selectedId = null;
  renderOutput($(SELECTORS.output), result, networkError, state.ran);
  renderTruncationNotes(document, result);
  editor.clearError();
  if (result?.error?.line) editor.markError(result.error.line, `${result.error.type}: ${result.error.message}`);
  timeline.load(result?.timeline || []);
  state.callChoice = 'last';
  renderCallChoices();
  player.load(flattenSteps(result || {}).length);
  renderJacobianPanel($(SELECTORS.jacobian), result);
  drawGraph();
}

// The run in flight (its AbortController): a second run never starts while one is pending
// (Run, Ctrl+Enter, choosing an example); while the server has it queued, the button cancels it.
let pendingRun = null;

function onRunButton() {
  if (pendingRun?.queued) pendingRun.abort();
  else run();
}

async function run() {
  if (pendingRun) return;
  const controller = new AbortController();
  pendingRun = controller;
  const source = editor.getSource();
  const seed = Number.parseInt($(SELECTORS.seedInput).value, 10) || 0;
  setBodyState(BODY_STATE.runState, RUN_STATES.running);
  const button = $(SELECTORS.runButton);
  button.disabled = true;
  button.textContent = t('editor.running');
  const onQueued = ({ seconds }) => {
    controller.queued = true;
    setBodyState(BODY_STATE.runState, RUN_STATES.queued);
    button.disabled = false;
    button.textContent = t('editor.queued', { seconds });
  };
  const onRetry = () => {
    controller.queued = false;
    setBodyState(BODY_STATE.runState, RUN_STATES.running);
    button.disabled = true;
    button.textContent = t('editor.running');
  };
  try {
    const result = await runProgram({ source, seed }, { signal: controller.signal, onQueued, onRetry });
    state.ran = { source, seed };
    if (!embed) rememberInAddressBar({ source, seed });
    showResult(result);
    setBodyState(BODY_STATE.runState, result.ok ? RUN_STATES.done : RUN_STATES.error);
    emit(EVENTS.runFinished, { result });
  } catch (error) {
    if (error?.name === 'AbortError') {
      // Cancelled by the student: the last result stays as it was.
      setBodyState(BODY_STATE.runState, RUN_STATES.cancelled);
      toast(t('editor.cancelled'));
    } else {
      showResult(null, error);
      setBodyState(BODY_STATE.runState, RUN_STATES.error);
    }
  } finally {
    pendingRun = null;
    button.disabled = false;
    button.textContent = t('editor.run');
    runCount += 1;
    setBodyState(BODY_STATE.runCount, runCount);
  }
}

// Choosing an example over edits that were never run keeps them: the current history entry
// becomes the draft's permalink and the example gets a new entry, so Back brings the draft
// back (the hashchange listener restores it).
function keepDraft(example) {
  const draft = editor.getSource();
  const known = draft === state.ran.source || examplesMenu.all().some((item) => item.source === draft);
  if (known || !draft.trim()) return;
  history.replaceState(null, '', permalinkUrl({ source: draft, seed: $(SELECTORS.seedInput).value }));
  const next = new URL(window.location.href);
  next.hash = '';
  next.searchParams.set('example', example.id);
  history.pushState(null, '', next.toString());
  toast(t('editor.draftKept'));
}

function toast(message) {
  const element = $(SELECTORS.toast);
  element.textContent = message;
  element.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (element.hidden = true), 2500);
}

function exportBaseName() {
  return $(SELECTORS.examplesMenu).value || 'autograd-graph';
}

function wireControls() {
  $(SELECTORS.runButton).addEventListener('click', onRunButton);
  $(SELECTORS.direction).addEventListener('change', (event) => {
    graphView.setDirection(event.target.checked ? 'TB' : 'LR');
  });
  $(SELECTORS.backwardCall).addEventListener('change', (event) => {
    state.callChoice = event.target.value;
    drawGraph();
  });
  $(SELECTORS.collapse).addEventListener('change', (event) => {
    state.collapse = event.target.checked;
    drawGraph();
  });
  $(SELECTORS.modules).addEventListener('change', (event) => {
    state.modules = event.target.checked;
    drawGraph();
  });
  $(SELECTORS.fit).addEventListener('click', () => graphView.fit());
  $(SELECTORS.zoomIn).addEventListener('click', () => graphView.zoomBy(1.25));
  $(SELECTORS.zoomOut).addEventListener('click', () => graphView.zoomBy(0.8));
  $(SELECTORS.language).addEventListener('change', (event) => {
    setLanguage(event.target.value);
    setBodyState(BODY_STATE.lang, getLanguage());
    examplesMenu.render();
    timeline.refresh();
    player.refresh();
    renderCallChoices();
    if (state.result) {
      renderOutput($(SELECTORS.output), state.result, null, state.ran);
      renderTruncationNotes(document, state.result);
      renderJacobianPanel($(SELECTORS.jacobian), state.result);
      drawGraph();
    }
    emit(EVENTS.languageChanged, { lang: getLanguage() });
  });
  $(SELECTORS.copyLink).addEventListener('click', async () => {
    const url = permalinkUrl({ source: editor.getSource(), seed: $(SELECTORS.seedInput).value });
    toast((await copyText(url)) ? t('share.copied') : t('share.copyFailed'));
  });
  $(SELECTORS.exportPng).addEventListener('click', () => download(`${exportBaseName()}.png`, graphView.exportPng()));
  $(SELECTORS.exportSvg).addEventListener('click', () =>
    download(`${exportBaseName()}.svg`, graphView.exportSvg(), 'image/svg+xml'),
  );
  $(SELECTORS.exportJson).addEventListener('click', () =>
    download(`${exportBaseName()}.json`, JSON.stringify(state.result, null, 2), 'application/json'),
  );
  window.addEventListener('resize', () => graphView.resize());
}

async function start() {
  setBodyState(BODY_STATE.runState, RUN_STATES.idle);
  setBodyState(BODY_STATE.backwardStep, 0);
  setBodyState(BODY_STATE.embed, embed ? '1' : '0');
  const lang = setLanguage(detectLanguage(), { remember: false });
  setBodyState(BODY_STATE.lang, lang);
  const languageSelect = $(SELECTORS.language);
  languageSelect.value = LANGUAGES.includes(lang) ? lang : 'en';
  applyTranslations(document);

  editor = createEditor($(SELECTORS.editor), { onRun: run });
  editor.onChange(() => {
    const chosen = examplesMenu.find($(SELECTORS.examplesMenu).value);
    if (chosen && chosen.source !== editor.getSource()) examplesMenu.choose('');
  });
  graphView = createGraphView($(SELECTORS.graph), {
    onSelect: selectNode,
    // Outside embed mode the canvas may grow to most of the window so the text stays readable.
    maxHeight: () => (embed ? 0 : Math.max(360, Math.round(window.innerHeight * 0.8))),
  });
  nodeTable = createNodeTable($(SELECTORS.nodeTable), { onSelect: selectNode });
  timeline = createTimeline($(SELECTORS.timelinePanel), {
    onChange: (index) => {
      state.timelineIndex = index;
      setBodyState(BODY_STATE.timelineStep, index);
      if (state.replay.replaying) {
        state.replay = { replaying: false, applied: 0 };
        player.leave();
      }
      drawGraph();
    },
  });
  player = createBackwardPlayer($(SELECTORS.backwardPanel), {
    onChange: (replay) => {
      state.replay = replay;
      drawGraph();
    },
  });
  examplesMenu = createExamplesMenu($(SELECTORS.examplesMenu), $(SELECTORS.exampleExplanation), {
    onChoose: (example) => {
      keepDraft(example);
      editor.setSource(example.source);
      run();
    },
  });
  wireControls();
  setBodyState(BODY_STATE.timelineStep, 0);

  let examples = [];
  try {
    examples = await fetchExamples();
  } catch (error) {
    renderOutput($(SELECTORS.output), null, error);
  }
  examplesMenu.load(examples);

  const permalink = readPermalink();
  const requested = params.get('example');
  if (permalink) {
    editor.setSource(permalink.source);
    $(SELECTORS.seedInput).value = String(permalink.seed);
    const same = examples.find((example) => example.source === permalink.source);
    examplesMenu.choose(same?.id ?? '');
  } else {
    const example = examplesMenu.find(requested) || examplesMenu.first();
    if (example) {
      editor.setSource(example.source);
      examplesMenu.choose(example.id);
    }
  }
  // A permalink pasted into the address bar of an open page changes only the hash: no reload.
  window.addEventListener('hashchange', () => {
    const linked = readPermalink();
    if (!linked) return;
    editor.setSource(linked.source);
    $(SELECTORS.seedInput).value = String(linked.seed);
    examplesMenu.choose(examples.find((example) => example.source === linked.source)?.id ?? '');
    run();
  });
  document.documentElement.dataset.ready = 'true';
  if (editor.getSource().trim()) await run();
}

start();
