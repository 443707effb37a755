// Every selector, data-* attribute and event name the page uses, in one place: tests, course
// pages and the modules themselves read them from here instead of repeating string literals.

export const SELECTORS = Object.freeze({
  runButton: '[data-testid=run]',
  editor: '[data-testid=editor]',
  examplesMenu: '[data-testid=examples]',
  exampleExplanation: '[data-testid=example-explanation]',
  seedInput: '[data-testid=seed]',
  stdout: '[data-testid=stdout]',
  warnings: '[data-testid=warnings]',
  error: '[data-testid=error]',
  graph: '[data-testid=graph]',
  graphToolbar: '[data-testid=graph-toolbar]',
  direction: '[data-testid=graph-direction]',
  fit: '[data-testid=graph-fit]',
  zoomIn: '[data-testid=graph-zoom-in]',
  zoomOut: '[data-testid=graph-zoom-out]',
  collapse: '[data-testid=graph-collapse]',
  modules: '[data-testid=graph-modules]',
  inspector: '[data-testid=inspector]',
  why: '[data-testid=why-gradient]',
  stepBackward: '[data-testid=step-backward]',
  stepBack: '[data-testid=step-back]',
  playBackward: '[data-testid=play-backward]',
  resetBackward: '[data-testid=reset-backward]',
  backwardStatus: '[data-testid=backward-status]',
  timeline: '[data-testid=timeline]',
  timelineStatus: '[data-testid=timeline-status]',
  variables: '[data-testid=variables]',
  jacobian: '[data-testid=jacobian]',
  nodeTable: '[data-testid=node-table]',
  nodeRow: '[data-testid=node-row]',
  language: '[data-testid=language]',
  copyLink: '[data-testid=copy-link]',
  exportPng: '[data-testid=export-png]',
  exportSvg: '[data-testid=export-svg]',
  exportJson: '[data-testid=export-json]',
  toast: '[data-testid=toast]',
  output: '[data-testid=output]',
  seedNote: '[data-testid=seed-note]',
  timelinePanel: '[data-testid=timeline-panel]',
  timelinePrev: '[data-testid=timeline-prev]',
  timelineNext: '[data-testid=timeline-next]',
  backwardPanel: '[data-testid=backward-panel]',
  backwardCall: '[data-testid=backward-call]',
  graphSummary: '[data-testid=graph-summary]',
  nodePages: '[data-testid=node-pages]',
  nodesPrev: '[data-testid=nodes-prev]',
  nodesNext: '[data-testid=nodes-next]',
  nodesPageStatus: '[data-testid=nodes-page-status]',
  editorError: '[data-testid=editor-error]',
  // One sentence each where the server cut a part (truncation-notes.js); hidden otherwise.
  stdoutNote: '[data-testid=stdout-note]',
  resultNote: '[data-testid=result-note]',
  graphNote: '[data-testid=graph-note]',
  timelineNote: '[data-testid=timeline-note]',
  backwardNote: '[data-testid=backward-note]',
  // Structure inside the panels (not test hooks, but selectors all the same).
  panelBody: '.panel-body',
  table: 'table',
  tableBody: 'tbody',
  tableRow: 'tr',
  editorSurface: '.CodeMirror',
});

// body[data-*] state; values are strings because they live in the DOM.
export const BODY_STATE = Object.freeze({
  runState: 'runState', // idle | running | queued | cancelled | done | error
  runCount: 'runCount', // runs finished since the page loaded (tests wait on it)
  backwardStep: 'backwardStep', // steps of the backward replay applied so far (0 = none)
  timelineStep: 'timelineStep', // index into result.timeline shown
  selectedNode: 'selectedNode', // node id or ''
  graphState: 'graphState', // empty | drawn
  graphNodes: 'graphNodes', // nodes drawn (after collapsing)
  lang: 'lang', // en | ko
  embed: 'embed', // '1' in embed mode
});

export const RUN_STATES = Object.freeze({
  idle: 'idle',
  running: 'running',
  queued: 'queued', // the server asked the run to wait (503 + Retry-After); it will retry
  cancelled: 'cancelled',
  done: 'done',
  error: 'error',
});

// CustomEvents dispatched on document; detail documented per event.
export const EVENTS = Object.freeze({
  nodeSelected: 'playground:node-selected', // {nodeId}
  runFinished: 'playground:run-finished', // {result}
  graphDrawn: 'playground:graph-drawn', // {nodes, ms, started}: ms = model + layout, not paint
  languageChanged: 'playground:language-changed', // {lang}
});

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function setBodyState(key, value) {
  document.body.dataset[key] = String(value);
}

export function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}
