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

// applied = how many steps (over all backward calls, in order) have run.
export function gradStateAfter(result, applied) {
  const steps = flattenSteps(result);
  const nodes = nodeIndex(result);
  const edges = edgeIndex(result);
  const nodeGrads = new Map();
  const edgeGrads = new Map();
  const leafGrads = new Map(); // survives across calls: that is accumulation
  let activeNode = null;
  let activeEdges = [];
  let activeCall = null;
  let currentCall = -1;
  const count = Math.max(0, Math.min(applied, steps.length));
  for (let i = 0; i < count; i += 1) {
    const { call, callIndex, step } = steps[i];
    if (callIndex !== currentCall) {
      // A new backward call: intermediate grads and edge flows start afresh, leaves keep theirs.
      currentCall = callIndex;
      nodeGrads.clear();
      edgeGrads.clear();
      for (const [id, grad] of leafGrads) nodeGrads.set(id, grad);
    }
    const functionNode = nodes.get(step.node);
    const tensorId = functionNode?.tensor;
    if (step.name === 'AccumulateGrad' || functionNode?.name === 'AccumulateGrad') {
      const grad = call.leaf_grads?.[tensorId] ?? step.grads_in?.[0] ?? null;
      if (tensorId) {
        leafGrads.set(tensorId, grad);
        nodeGrads.set(tensorId, grad);
      }
    } else if (tensorId && step.grads_in?.length) {
      nodeGrads.set(tensorId, step.grads_in[0]);
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
        from = index;
        return index;
      }
    }
    if (call.source === 'request') return timeline.length; // after the program
    for (let index = from; index < timeline.length; index += 1) {
      if (timeline[index].line === call.line) {
        from = index;
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
