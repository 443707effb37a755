// "Why this gradient": the chain of local derivatives from the output of a backward call down to
// one tensor, with the numbers that really flowed (read from the recorded backward trace), and
// the textbook formula of each op on the way.

import { tensorName } from './node-names.js';
import { flatten, formatCompact, formatNumber } from './tensor-format.js';

// Local derivative of each grad_fn w.r.t. its inputs (a, b = inputs; G = incoming gradient).
export const LOCAL_DERIVATIVES = Object.freeze({
  AddBackward0: '∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1',
  AddBackward1: '∂(a+c)/∂a = 1',
  SubBackward0: '∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1',
  SubBackward1: '∂(a−c)/∂a = 1',
  RsubBackward1: '∂(c−a)/∂a = −1',
  MulBackward0: '∂(a·b)/∂a = b, ∂(a·b)/∂b = a',
  MulBackward1: '∂(a·c)/∂a = c',
  DivBackward0: '∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²',
  DivBackward1: '∂(a/c)/∂a = 1/c',
  NegBackward0: '∂(−a)/∂a = −1',
  PowBackward0: '∂(aⁿ)/∂a = n·aⁿ⁻¹',
  PowBackward1: '∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a',
  ExpBackward0: '∂eᵃ/∂a = eᵃ',
  LogBackward0: '∂ln a/∂a = 1/a',
  SqrtBackward0: '∂√a/∂a = 1/(2√a)',
  SinBackward0: '∂sin a/∂a = cos a',
  CosBackward0: '∂cos a/∂a = −sin a',
  TanhBackward0: '∂tanh a/∂a = 1 − tanh²a',
  SigmoidBackward0: '∂σ(a)/∂a = σ(a)(1 − σ(a))',
  ReluBackward0: '∂relu(a)/∂a = 1 if a > 0 else 0',
  AbsBackward0: '∂|a|/∂a = sign(a)',
  MeanBackward0: '∂mean(a)/∂aᵢ = 1/n',
  MeanBackward1: '∂mean(a)/∂aᵢ = 1/n (over the reduced dims)',
  SumBackward0: '∂sum(a)/∂aᵢ = 1',
  SumBackward1: '∂sum(a)/∂aᵢ = 1 (over the reduced dims)',
  MmBackward0: '∂(A@B)/∂A = G·Bᵀ, ∂(A@B)/∂B = Aᵀ·G',
  MvBackward0: '∂(A@v)/∂A = G·vᵀ, ∂(A@v)/∂v = Aᵀ·G',
  DotBackward0: '∂(a·b)/∂a = b',
  AddmmBackward0: '∂(c + A@B)/∂A = G·Bᵀ',
  ViewBackward0: 'reshape: gradient passes through',
  ReshapeAliasBackward0: 'reshape: gradient passes through',
  ExpandBackward0: 'broadcast: gradients summed back',
  TBackward0: 'transpose: ∂/∂a = Gᵀ',
  SelectBackward0: 'indexing: gradient goes to the selected elements',
  SliceBackward0: 'slicing: gradient goes to the sliced elements',
  CloneBackward0: '∂clone(a)/∂a = 1',
  AccumulateGrad: 'leaf: .grad += incoming gradient',
});

export function formulaFor(name) {
  return LOCAL_DERIVATIVES[name] || '';
}

// A node made by a torch.autograd.Function of the program carries the line of its `backward`.
export function isProgramFunction(node) {
  return node?.kind === 'function' && node.backward_line !== undefined && node.backward_line !== null;
}

function gradsText(grads) {
  return (grads || []).map((grad) => (grad === null || grad === undefined ? 'None' : formatCompact(grad, 6))).join(', ');
}

// Where the engine ran function node `functionId`: the latest call that ran it among the first
// `applied` replay steps (all steps when `applied` is null), with that step.
function latestStep(calls, functionId, applied) {
  let before = 0;
  let ever = false;
  let found = null;
  calls.forEach((call, callIndex) => {
    const steps = call.steps || [];
    const position = steps.findIndex((step) => step.node === functionId);
    if (position >= 0) {
      ever = true;
      if (applied === null || before + position < applied) found = { callIndex, step: steps[position] };
    }
    before += steps.length;
  });
  return { ever, found };
}

/**
 * The local rule of a node a torch.autograd.Function of the program made: no formula, but the
 * program's own `backward` (its line), with the gradients the engine passed it (grad_output,
 * one per output) and what it returned (one per input that takes a gradient), as the backward
 * trace recorded them when the program ran: the capture never runs that code again.
 * null for any other node; else {status: 'ok' | 'no-backward' | 'not-yet', name, line, ...}.
 */
export function programBackward(result, functionId, { applied = null } = {}) {
  const node = (result.graph?.nodes || []).find((candidate) => candidate.id === functionId);
  if (!isProgramFunction(node)) return null;
  const base = { name: node.name, line: node.backward_line };
  const { ever, found } = latestStep(result.backward_trace || [], functionId, applied);
  if (!ever) return { ...base, status: 'no-backward' };
  if (!found) return { ...base, status: 'not-yet' };
  const { step, callIndex } = found;
  return {
    ...base,
    status: 'ok',
    callIndex,
    gradsIn: step.grads_in || [],
    gradsOut: step.grads_out || [],
    inText: gradsText(step.grads_in),
    outText: gradsText(step.grads_out),
  };
}


// 1/4 reads better than 0.25 when it is the reciprocal of a count (means).
export function formatFactor(value) {
  if (typeof value !== 'number' || value === 0) return formatNumber(value);
  const reciprocal = 1 / value;
  const rounded = Math.round(reciprocal);
  if (Math.abs(value) < 1 && Math.abs(rounded) >= 2 && Math.abs(reciprocal - rounded) < 1e-6) {
    return `${rounded < 0 ? '−' : ''}1/${Math.abs(rounded)}`;
  }
  return formatNumber(value);
}

// Elementwise lower/upper, broadcasting a one-element upper; null when it is not a simple ratio.
function localRatio(upper, lower) {
  const up = flatten(upper);
  const low = flatten(lower);
  if (!up.length || !low.length || up.some((v) => typeof v !== 'number')) return null;
  if (up.length !== 1 && up.length !== low.length) return null;
  const ratios = [];
  for (let i = 0; i < low.length; i += 1) {
    const denominator = up.length === 1 ? up[0] : up[i];
    if (denominator === 0 || typeof low[i] !== 'number') return null;
    ratios.push(low[i] / denominator);
  }
  const first = ratios[0];
  const uniform = ratios.every((r) => Math.abs(r - first) <= 1e-6 * Math.max(1, Math.abs(first)));
  return { uniform, value: uniform ? Number(first.toPrecision(6)) : ratios };
}

function indexGraph(result) {
  const nodes = new Map((result.graph?.nodes || []).map((node) => [node.id, node]));
  const nextOut = new Map(); // function id -> function ids that consumed its output
  for (const edge of result.graph?.edges || []) {
    if (edge.kind && edge.kind !== 'next') continue;
    if (!nextOut.has(edge.source)) nextOut.set(edge.source, []);
    nextOut.get(edge.source).push(edge.target);
  }
  return { nodes, nextOut };
}

function accumulateGradOf(nodes, tensorId) {
  for (const node of nodes.values()) {
    if (node.kind === 'function' && node.name === 'AccumulateGrad' && node.tensor === tensorId) {
      return node.id;
    }
  }
  return null;
}

// Function nodes from `start` forward to `goal` (shortest), or null.
function forwardPath(nextOut, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const current = queue.shift();
    if (current === goal) break;
    for (const next of nextOut.get(current) || []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  if (!previous.has(goal)) return null;
  const path = [];
  for (let at = goal; at !== null; at = previous.get(at)) path.push(at);
  return path; // goal (output side) first, start last
}

/**
 * Explain the gradient that reached tensor `tensorId` in the latest backward call that reached
 * it — among the first `applied` replay steps when `applied` is a number (the replay or the
 * timeline stands there), else among all. For a leaf that is what AccumulateGrad added to .grad;
 * for an intermediate it is ∂root/∂tensor, which PyTorch does not keep in .grad.
 * Returns {status: 'ok', ...} or {status: 'no-backward' | 'not-yet' | 'no-path'}.
 */
export function explainGradient(result, tensorId, { applied = null } = {}) {
  const { nodes, nextOut } = indexGraph(result);
  let target = nodes.get(tensorId);
  if (target?.kind === 'function') target = nodes.get(target.tensor);
  if (!target) return { status: 'no-path' };
  const startFunction = target.is_leaf
    ? accumulateGradOf(nodes, target.id)
    : target.grad_fn_node;
  const calls = result.backward_trace || [];
  // Flat step number (over all calls, as the replay counts) of startFunction's step in each call.
  let before = 0;
  const reachedAt = calls.map((call) => {
    const position = (call.steps || []).findIndex((step) => step.node === startFunction);
    const flat = position < 0 ? -1 : before + position;
    before += (call.steps || []).length;
    return flat;
  });
  const everReached = reachedAt.some((flat) => flat >= 0);
  const callIndex = reachedAt.findLastIndex((flat) => flat >= 0 && (applied === null || flat < applied));
  if (!startFunction || !everReached) return { status: 'no-backward' };
  if (callIndex < 0) return { status: 'not-yet' };
  const call = calls[callIndex];
  const stepOf = new Map(call.steps.map((step) => [step.node, step]));
  const root = nodes.get(call.roots?.[0]);
  const rootFunction = root?.grad_fn_node;
  const path = rootFunction ? forwardPath(nextOut, startFunction, rootFunction) : null;
  if (!path) return { status: 'no-path' };

  // The gradient that arrived at a tensor in this call (w.r.t. that tensor).
  const rootGrad = call.root_grads?.[0] ?? 1;
  const arrivedAt = (tensor) => {
    if (tensor.id === root.id) return rootGrad;
    const fnId = tensor.is_leaf ? accumulateGradOf(nodes, tensor.id) : tensor.grad_fn_node;
    return stepOf.get(fnId)?.grads_in?.[0] ?? tensor.grad ?? null;
  };

  // Checkpoints: the root, every named tensor along the path, and the target.
  const checkpoints = [{ tensor: root, ops: [], programRules: [] }];
  path.forEach((fnId, index) => {
    const fn = nodes.get(fnId);
    // The target's own grad_fn runs *after* its gradient arrived: it is not part of the chain.
    // (A leaf's start is its AccumulateGrad, which only stores; it is left out as well.)
    if (fnId !== startFunction) {
      const checkpoint = checkpoints[checkpoints.length - 1];
      checkpoint.ops.push(fn.name);
      if (isProgramFunction(fn)) {
        // No formula: the program's backward is the rule, with what went in and came out.
        const step = stepOf.get(fnId);
        checkpoint.programRules.push({
          op: fn.name,
          line: fn.backward_line,
          inText: gradsText(step?.grads_in),
          outText: gradsText(step?.grads_out),
        });
      }
    }
    const nextFn = nodes.get(path[index + 1]);
    // The tensor the next function (towards the target) produced; AccumulateGrad: its leaf.
    const produced = nextFn ? nodes.get(nextFn.tensor) : null;
    if (produced && produced.id !== target.id && produced.names?.length) {
      checkpoints.push({ tensor: produced, ops: [], programRules: [] });
    }
  });
  if (target.id !== root.id) checkpoints.push({ tensor: target, ops: [], programRules: [] });

  const hops = [];
  for (let i = 0; i + 1 < checkpoints.length; i += 1) {
    const upper = checkpoints[i].tensor;
    const lower = checkpoints[i + 1].tensor;
    const ratio = localRatio(arrivedAt(upper), arrivedAt(lower));
    hops.push({
      upper: tensorName(upper),
      lower: tensorName(lower),
      ops: checkpoints[i].ops,
      formulas: [...new Set(checkpoints[i].ops)].map((op) => ({
        op,
        formula: formulaFor(op),
        // Each node of a program Function on the way (one entry per node: numbers differ).
        programRules: checkpoints[i].programRules.filter((rule) => rule.op === op),
      })),
      ratio: ratio && { ...ratio, display: ratio.uniform ? formatFactor(ratio.value) : null },
    });
  }
  const scalarRoot = flatten(rootGrad).length === 1;
  const factors = hops.map((hop) =>
    hop.ratio?.uniform ? formatFactor(hop.ratio.value) : '…',
  );
  const leafCalls = target.is_leaf
    ? calls.filter((c) => c.leaf_grads && target.id in c.leaf_grads).length
    : 0;
  return {
    status: 'ok',
    callIndex,
    isLeaf: Boolean(target.is_leaf),
    root: tensorName(root),
    node: tensorName(target),
    rootGrad,
    scalarRoot,
    rootGradText: formatCompact(rootGrad, 6),
    hops,
    product: scalarRoot
      ? [formatFactor(flatten(rootGrad)[0]), ...factors].join(' × ')
      : ['v', ...factors].join(' × '),
    value: arrivedAt(target),
    valueText: formatCompact(arrivedAt(target), 6),
    accumulatedCalls: leafCalls,
  };
}
