// Pure computation of "the gradients as they were after K steps of the recorded backward passes".
// Used by the replay controls (K chosen by the user) and by the timeline (K = the steps of the
// backward calls that had run by that statement). No DOM here.

export function flattenSteps(result) {
  const steps = [];
  (result.backward_trace || []).forEach((call, callIndex) => {
    (call.steps || []).forEach((step, stepIndex) => steps.push({ call, callIndex, step, stepIndex }));
  });
  return steps;
}

function nodeIndex(result) {
  const byId = new Map();
  for (const node of result.graph?.nodes || []) byId.set(node.id, node);
  return byId;
}

function edgeIndex(result) {
  const byId = new Map();
  for (const edge of result.graph?.edges || []) byId.set(edge.id, edge);
  return byId;
}

// The gradient that a step sent along one of its next-edges.
function gradAlongEdge(step, edge, position) {
  const grads = step.grads_out || [];
  if (edge && Number.isInteger(edge.input_nr) && edge.input_nr < grads.length) {
    return grads[edge.input_nr];
  }
  return grads[position] ?? null;
}

// applied = how many steps (over all backward calls, in order) have run. `nodeGrads` holds the
// gradient that *reached* each tensor in the current call (∂root/∂tensor), not `.grad`: that one
// is grad-history.js's, and `written` says which tensors' `.grad` this call has written so far.
export function gradStateAfter(result, applied) {
  const steps = flattenSteps(result);
  const nodes = nodeIndex(result);
  const edges = edgeIndex(result);
  const nodeGrads = new Map();
  const edgeGrads = new Map();
  const written = new Set();
  let activeNode = null;
  let activeEdges = [];
  let activeCall = null;
  let currentCall = -1;
  const count = Math.max(0, Math.min(applied, steps.length));
  for (let i = 0; i < count; i += 1) {
    const { callIndex, step } = steps[i];
    if (callIndex !== currentCall) {
      // A new backward call: what reached the nodes and flowed on the edges starts afresh.
      currentCall = callIndex;
      nodeGrads.clear();
      edgeGrads.clear();
      written.clear();
    }
    const functionNode = nodes.get(step.node);
    const tensorId = functionNode?.tensor;
    if (tensorId && step.grads_in?.length) {
      nodeGrads.set(tensorId, step.grads_in[0]);
      if (step.name === 'AccumulateGrad' || functionNode?.name === 'AccumulateGrad' ||
          nodes.get(tensorId)?.retains_grad) {
        written.add(tensorId);
      }
    }
    (step.edges || []).forEach((edgeId, position) => {
      if (!edgeId) return; // a next function that is None (e.g. a constant operand)
      edgeGrads.set(edgeId, gradAlongEdge(step, edges.get(edgeId), position));
    });
    activeNode = step.node;
    activeEdges = (step.edges || []).filter(Boolean);
    activeCall = callIndex;
  }
  return {
    total: steps.length,
    applied: count,
    activeNode: count > 0 && count < steps.length ? activeNode : null,
    lastNode: activeNode,
    activeEdges: count > 0 && count < steps.length ? activeEdges : [],
    activeCall,
    current: count > 0 ? steps[count - 1] : null,
    nodeGrads,
    edgeGrads,
    written,
  };
}

// The timeline index at which each backward call ran: its own "step" when the trace records it,
// otherwise the first statement on its line not before the previous call.
export function backwardCallTimelineSteps(result) {
  const timeline = result.timeline || [];
  let from = 0;
  return (result.backward_trace || []).map((call) => {
    if (Number.isInteger(call.step)) {
      const index = timeline.findIndex((entry) => entry.step === call.step);
      if (index >= 0) {
        from = index + 1;
        return index;
      }
    }
    if (call.source === 'request') return timeline.length; // after the program
    // Each call runs in a later statement than the previous one (a loop repeats its line).
    for (let index = from; index < timeline.length; index += 1) {
      if (timeline[index].line === call.line) {
        from = index + 1;
        return index;
      }
    }
    return timeline.length;
  });
}

// Steps of all backward calls that had finished by the statement at timeline index `index`.
export function stepsDoneByTimelineIndex(result, index) {
  const callSteps = backwardCallTimelineSteps(result);
  let applied = 0;
  (result.backward_trace || []).forEach((call, callIndex) => {
    if (callSteps[callIndex] <= index) applied += (call.steps || []).length;
  });
  return applied;
}

// How many backward calls had run by the statement at timeline index `index`.
export function callsDoneByTimelineIndex(result, index) {
  return backwardCallTimelineSteps(result).filter((at) => at <= index).length;
}
