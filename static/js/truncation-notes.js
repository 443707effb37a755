// One sentence beside each part of a result the server cut, so the page (and each notebook view)
// never silently shows less than the program did. What sets each flag, server-side:
// - stdout_truncated: the program printed more than limits.stdout_bytes (sandbox/runtime.py
//   Stdout; the run stops there), or the worker shortened stdout to fit limits.result_bytes
//   (trace/result_budget.fit_result, then result_cut holds "stdout": no byte count applies).
// - graph_truncated: limits.graph_nodes nodes were recorded (trace/nodes.py NodeRegistry);
//   or fit_result left the whole graph out (result_cut holds "graph").
// - timeline_truncated: limits.timeline_entries statements were recorded (trace/timeline.py);
//   or fit_result left the timeline out (result_cut holds "timeline" and the timeline is null;
//   "timeline" alone also names timeline values the byte budget cut).
// - backward_trace_truncated: limits.graph_nodes backward steps were recorded, over all calls
//   (trace/backward_trace.py); or fit_result left the trace out ("backward_trace").
// - result_truncated: values were sent cut to keep the answer within limits.result_bytes.
// Numbers come from result.limits; without one, the sentence is said without it.

import { $, SELECTORS } from './dom-hooks.js';
import { formatCount, t } from './i18n.js';

// Each part's note: its flag, the limit that bounds it, and its keys (cut at the limit / cut
// with no known number / left out whole to fit the answer's size).
const PARTS = [
  { selector: SELECTORS.stdoutNote, flag: 'stdout_truncated', limit: 'stdout_bytes', cut: 'notes.stdoutCut', plain: 'notes.stdoutCutPlain', part: 'stdout', dropped: 'notes.stdoutCutPlain' },
  { selector: SELECTORS.graphNote, flag: 'graph_truncated', limit: 'graph_nodes', cut: 'notes.graphCut', plain: 'notes.graphCutPlain', part: 'graph', dropped: 'notes.graphDropped' },
  { selector: SELECTORS.timelineNote, flag: 'timeline_truncated', limit: 'timeline_entries', cut: 'notes.timelineCut', plain: 'notes.timelineCutPlain', part: 'timeline', dropped: 'notes.timelineDropped' },
  { selector: SELECTORS.backwardNote, flag: 'backward_trace_truncated', limit: 'graph_nodes', cut: 'notes.backwardCut', plain: 'notes.backwardCutPlain', part: 'backward_trace', dropped: 'notes.backwardDropped' },
  { selector: SELECTORS.resultNote, flag: 'result_truncated', limit: 'result_bytes', cut: 'notes.resultTrimmed', plain: 'notes.resultTrimmedPlain', part: null, dropped: null },
];

function limitOf(result, name) {
  const value = result?.limits?.[name];
  return Number.isFinite(value) ? value : null;
}

// The sentence for each part ({selector: text | null}), in the current language.
export function truncationNotes(result) {
  const cutPlaces = Array.isArray(result?.result_cut) ? result.result_cut : [];
  const notes = {};
  for (const part of PARTS) {
    let text = null;
    if (result?.[part.flag]) {
      const limit = limitOf(result, part.limit);
      // Left out whole by fit_result (a "timeline" cut may also name values the budget cut).
      const leftOut = part.part && cutPlaces.includes(part.part) && (part.part === 'stdout' || result[part.part] == null);
      if (leftOut) text = t(part.dropped);
      else if (limit === null) text = t(part.plain);
      else text = t(part.cut, { count: formatCount(limit) });
    }
    notes[part.selector] = text;
  }
  return notes;
}

// Fill (or hide) the note elements under `root` (the page's document or a notebook view).
export function renderTruncationNotes(root, result) {
  for (const [selector, text] of Object.entries(truncationNotes(result))) {
    const element = $(selector, root);
    if (!element) continue;
    element.hidden = !text;
    element.textContent = text || '';
  }
}
