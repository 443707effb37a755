// What one RunResult view shows right now, shared by the page (app.js) and the notebook view
// (notebook-view.js): the statement or replay step in view, the backward call in scope, and the
// gradients to draw. `state` holds {result, timelineIndex, replay, callChoice}.

import { flattenSteps, gradStateAfter, callsDoneByTimelineIndex, stepsDoneByTimelineIndex } from './backward-replay-state.js';
import { callInScope, nodesOfCall } from './graph-scope.js';
import { callThatReached, dotGradsAt, dotGradsDuringReplay } from './grad-history.js';
import { tensorName } from './node-names.js';

export function nodesById(result) {
  return new Map((result?.graph?.nodes || []).map((node) => [node.id, node]));
}

// What the graph shows right now: the replay's step, or the statement chosen on the timeline;
// and of the graph, one backward call's part (graph-scope.js) unless the student asked for all.
export function currentView(state) {
  const result = state.result;
  const timeline = result?.timeline || [];
  const total = flattenSteps(result || {}).length;
  const atEnd = state.timelineIndex >= timeline.length - 1;
  let view;
  if (state.replay.replaying) {
    view = { gradState: gradStateAfter(result, state.replay.applied), visible: null, final: false };
  } else {
    const applied = atEnd ? total : stepsDoneByTimelineIndex(result, state.timelineIndex);
    const entry = timeline[state.timelineIndex];
    const visible =
      atEnd || !entry
        ? null
        : new Set(
            (result.graph?.nodes || [])
              .filter((node) => node.step === undefined || node.step === null || node.step <= entry.step)
              .map((node) => node.id),
          );
    view = { gradState: gradStateAfter(result, applied), visible, final: atEnd };
  }
  const callIndex = callInScope(result, {
    choice: state.callChoice,
    replaying: state.replay.replaying,
    replayCall: view.gradState.current?.callIndex ?? 0,
    callsDone: atEnd ? timeline.length : callsDoneByTimelineIndex(result, state.timelineIndex),
    atEnd,
  });
  const inCall = callIndex === null ? null : nodesOfCall(result, callIndex);
  view.callIndex = callIndex;
  view.allVisible = view.visible;
  if (inCall) {
    view.visible = view.visible ? new Set([...view.visible].filter((id) => inCall.has(id))) : inCall;
  }
  return view;
}

// The gradients shown for the current view: `.grad` as PyTorch held it (grad-history.js), the
// gradient that reached each node in a backward pass, and the one that flowed along each edge.
export function gradAccessors(state, view) {
  const result = state.result;
  const byId = nodesById(result);
  const edgesById = new Map((result?.graph?.edges || []).map((edge) => [edge.id, edge]));
  const dotGrads = state.replay.replaying
    ? dotGradsDuringReplay(result, view.gradState)
    : dotGradsAt(result, state.timelineIndex);
  // At the end of the program the server's own record is authoritative; while replaying or
  // scrubbing, the state rebuilt from the trace is what had happened up to that step.
  const reached = (id) => {
    if (view.final) return byId.get(id)?.grad ?? null;
    return view.gradState.nodeGrads.get(id) ?? null;
  };
  const rootName = (id) => {
    const callIndex = view.final ? callThatReached(result, id) : view.gradState.activeCall;
    const root = byId.get(result?.backward_trace?.[callIndex]?.roots?.[0]);
    return root ? tensorName(root) : 'out';
  };
  const edgeGrad = (id) => {
    if (view.final && edgesById.get(id)?.grad != null) return edgesById.get(id).grad;
    return view.gradState.edgeGrads.get(id) ?? null;
  };
  return { dotGrad: (id) => dotGrads.get(id) ?? null, reached, rootName, edgeGrad, dotGrads };
}
