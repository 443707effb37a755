// The two gradients of a tensor, never confused (pure; no DOM):
// - `.grad`: exactly what PyTorch stores — None for a non-leaf unless retain_grad() was called,
//   accumulated over backward calls, reset by zero_() / `= None` — as of a timeline step. Read
//   from the timeline entries' `grads` (each entry lists the `.grad`s its statement changed).
// - the gradient that *reached* a node in a backward pass (∂root/∂node): the graph's node
//   `grad` at the end, or what the replay has computed so far (backward-replay-state.js).

import { backwardCallTimelineSteps } from './backward-replay-state.js';

// Map node id -> `.grad` data (null = None) after the statement at timeline index `index`
// (inclusive); a node absent from the map has `.grad` None.
export function dotGradsAt(result, index) {
  const grads = new Map();
  const timeline = result?.timeline || [];
  const last = Math.min(index, timeline.length - 1);
  for (let i = 0; i <= last; i += 1) {
    for (const [id, grad] of Object.entries(timeline[i].grads || {})) {
      if (grad === null) grads.delete(id);
      else grads.set(id, grad.value);
    }
  }
  // A timeline cut short (timeline_truncated) stops reporting: the end state is in `variables`.
  if (result?.timeline_truncated && index >= timeline.length - 1) {
    for (const value of Object.values(result.variables || {})) {
      if (value?.kind !== 'tensor' || !value.node) continue;
      if (value.grad === null || value.grad === undefined) grads.delete(value.node);
      else grads.set(value.node, value.grad);
    }
  }
  return grads;
}

// `.grad` while the replay stands inside backward call `current.callIndex`: what it was before
// that call's statement, except for the tensors whose gradient this call has already written
// (`written`: leaves whose AccumulateGrad ran, retain_grad tensors whose grad_fn ran).
export function dotGradsDuringReplay(result, gradState) {
  const current = gradState.current;
  if (!current) {
    const first = backwardCallTimelineSteps(result)[0] ?? 0;
    return dotGradsAt(result, first - 1);
  }
  const callSteps = backwardCallTimelineSteps(result);
  const at = callSteps[current.callIndex];
  const before = dotGradsAt(result, at - 1);
  const after = dotGradsAt(result, at);
  for (const id of gradState.written) {
    if (after.has(id)) before.set(id, after.get(id));
  }
  return before;
}

// The backward call (index into backward_trace, at most `lastCall`) whose pass last reached
// tensor `tensorId`, or -1; its root names the ∂root/∂node label.
export function callThatReached(result, tensorId, lastCall = Infinity) {
  const nodes = result?.graph?.nodes || [];
  const tensor = nodes.find((node) => node.id === tensorId);
  if (!tensor) return -1;
  const starts = new Set(
    nodes
      .filter((node) => node.kind === 'function' && (node.id === tensor.grad_fn_node ||
        (node.name === 'AccumulateGrad' && node.tensor === tensorId)))
      .map((node) => node.id),
  );
  const calls = result.backward_trace || [];
  for (let i = Math.min(lastCall, calls.length - 1); i >= 0; i -= 1) {
    if ((calls[i].steps || []).some((step) => starts.has(step.node))) return i;
  }
  return -1;
}
