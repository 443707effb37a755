// Which part of a big program's graph is shown: one autograd graph at a time — the nodes a
// chosen backward call ran through (its functions, their tensors, the leaves it reached, the
// constants they used) — with everything else (forward-only work, other calls' graphs) hidden
// until asked for. Pure; no DOM.

// Node ids of backward call `callIndex` (an index into backward_trace).
export function nodesOfCall(result, callIndex) {
  const call = result?.backward_trace?.[callIndex];
  if (!call) return null;
  const functions = new Set((call.steps || []).map((step) => step.node));
  const ids = new Set([...functions, ...(call.roots || []), ...(call.inputs || [])]);
  for (const node of result.graph?.nodes || []) {
    if (node.kind === 'function' && functions.has(node.id) && node.tensor) ids.add(node.tensor);
    if (node.kind === 'tensor' && functions.has(node.grad_fn_node)) ids.add(node.id);
  }
  for (const edge of result.graph?.edges || []) {
    if (edge.kind === 'constant' && functions.has(edge.target)) ids.add(edge.source);
  }
  return ids;
}

// The backward call to show: while replaying, the one being replayed; on the timeline before
// the end, the last call that had run by then (none: the forward graph so far); at the end,
// the chosen one (`choice`: 'last', 'all' or a call index).
export function callInScope(result, { choice, replaying, replayCall, callsDone, atEnd }) {
  const calls = result?.backward_trace || [];
  if (!calls.length || choice === 'all') return null;
  if (replaying) return replayCall ?? 0;
  if (!atEnd) return callsDone > 0 ? callsDone - 1 : null;
  if (choice === 'last' || choice === undefined || choice === null) return calls.length - 1;
  return Math.min(Number(choice), calls.length - 1);
}
