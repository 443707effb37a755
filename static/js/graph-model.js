// From a RunResult to the drawable graph: which nodes exist at a timeline step, their labels and
// style classes, edge gradient labels, the folding of an nn.Module call's nodes into one box
// (graph.modules) and the collapsing of nodes repeated by a loop.
// Knows nothing about the drawing library (graph-view.js does the drawing).

import { nodeCaption, tensorName } from './node-names.js';
import { formatCompact, formatShape } from './tensor-format.js';

export { nodeCaption };

// A line whose grad_fn repeats this often (a loop body) is drawn as first, ×n, last.
export const COLLAPSE_MIN_REPEATS = 4;

export function tensorRoleClass(node) {
  if (node.role === 'leaf' || (node.is_leaf && node.requires_grad)) return 'tensor-leaf';
  if (node.role === 'intermediate' || (node.requires_grad && !node.is_leaf)) {
    return 'tensor-intermediate';
  }
  return 'tensor-constant';
}

// Every value of a tensor of at most this many elements is shown on its node.
export const LABEL_VALUES = 6;

function sameData(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Lines: name and shape; value; `.grad` (what PyTorch stores, when it is not None); the gradient
// that reached the node in a backward pass, labelled ∂root/∂name (unless it equals `.grad`).
function tensorLabel(node, grads) {
  const name = nodeCaption(node);
  const lines = [`${name}  ${formatShape(node.shape)}`];
  lines.push(`= ${formatCompact(node.value, LABEL_VALUES, node.shape)}`);
  const dotGrad = grads.dotGrad(node.id);
  const reached = grads.reached(node.id);
  if (dotGrad !== null && dotGrad !== undefined) {
    lines.push(`.grad = ${formatCompact(dotGrad, LABEL_VALUES, node.shape)}`);
  }
  if (reached !== null && reached !== undefined && !sameData(reached, dotGrad)) {
    lines.push(`∂${grads.rootName(node.id)}/∂${tensorName(node)} = ${formatCompact(reached, LABEL_VALUES, node.shape)}`);
  }
  return lines.join('\n');
}

function isFoldableConstant(node, connected) {
  return node.kind === 'tensor' && !node.names?.length && !node.requires_grad && !connected.has(node.id);
}

// Groups of nodes to fold. (1) Per (line, grad_fn name) with many function nodes: all but the
// first and last function, plus the unnamed tensors those produced. (2) Per line, many unnamed
// tensors outside the graph (a loop condition such as `y.data.norm() < 1000`): all of them.
function collapseGroups(nodes, edges) {
  const byKey = new Map();
  for (const node of nodes) {
    if (node.kind !== 'function' || node.name === 'AccumulateGrad') continue;
    const key = `${node.line}:${node.name}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(node);
  }
  const memberOf = new Map();
  const groups = [];
  for (const [key, functions] of byKey) {
    if (functions.length < COLLAPSE_MIN_REPEATS) continue;
    const group = { id: `collapsed:${key}`, kind: 'functions', name: functions[0].name, line: functions[0].line, members: [] };
    for (const fn of functions.slice(1, -1)) {
      memberOf.set(fn.id, group.id);
      group.members.push(fn.id);
    }
    groups.push(group);
  }
  const groupsById = new Map(groups.map((group) => [group.id, group]));
  for (const node of nodes) {
    if (node.kind === 'tensor' && !node.names?.length && memberOf.has(node.grad_fn_node)) {
      const groupId = memberOf.get(node.grad_fn_node);
      memberOf.set(node.id, groupId);
      groupsById.get(groupId).members.push(node.id);
    }
  }
  const connected = new Set(edges.flatMap((edge) => [edge.source, edge.target]));
  const constantsByLine = new Map();
  for (const node of nodes) {
    if (memberOf.has(node.id) || !isFoldableConstant(node, connected)) continue;
    if (!constantsByLine.has(node.line)) constantsByLine.set(node.line, []);
    constantsByLine.get(node.line).push(node.id);
  }
  for (const [line, ids] of constantsByLine) {
    if (ids.length < COLLAPSE_MIN_REPEATS) continue;
    const group = { id: `collapsed:${line}:constants`, kind: 'constants', name: null, line, members: ids };
    for (const id of ids) memberOf.set(id, group.id);
    groups.push(group);
  }
  return { groups, memberOf };
}

// One group per nn.Module call (graph.modules; the server gives each node to the innermost call
// that made it): its functions and unnamed tensors fold into one node named after the module
// (`model.0: Linear(2→4)`); named tensors (the module's parameters, the program's variables) stay
// drawn beside it.
function moduleGroups(result, nodes) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const memberOf = new Map();
  const groups = [];
  for (const call of result.graph?.modules || []) {
    const members = call.nodes.filter((id) => byId.has(id) && !byId.get(id).names?.length);
    if (!members.some((id) => byId.get(id).kind === 'function')) continue;
    const group = { id: `module:${call.id}`, kind: 'module', label: call.label, members };
    for (const id of members) memberOf.set(id, group.id);
    groups.push(group);
  }
  return { groups, memberOf };
}

/**
 * options: visible (Set of node ids or null = all), collapse (bool), modules (bool: fold each
 * nn.Module call into one box),
 * grads: {dotGrad(id), reached(id), rootName(id)} (see grad-history.js), edgeGrad(id),
 * activeNode, activeEdges, labels (i18n fn).
 */
export function buildGraphModel(result, options) {
  const allNodes = result.graph?.nodes || [];
  const allEdges = result.graph?.edges || [];
  const visible = options.visible;
  const nodes = visible ? allNodes.filter((node) => visible.has(node.id)) : allNodes;
  const shown = new Set(nodes.map((node) => node.id));
  const folded = options.modules
    ? moduleGroups(result, nodes)
    : { groups: [], memberOf: new Map() };
  const repeats = options.collapse
    ? collapseGroups(nodes.filter((node) => !folded.memberOf.has(node.id)), allEdges)
    : { groups: [], memberOf: new Map() };
  const memberOf = new Map([...folded.memberOf, ...repeats.memberOf]);
  const activeEdges = new Set(options.activeEdges || []);

  const modelNodes = [];
  for (const node of nodes) {
    if (memberOf.has(node.id)) continue;
    const classes = [];
    let label;
    if (node.kind === 'function') {
      classes.push(node.name === 'AccumulateGrad' ? 'fn-accumulate' : 'fn');
      label = node.name;
    } else {
      classes.push(tensorRoleClass(node));
      label = tensorLabel(node, options.grads);
    }
    if (node.id === options.activeNode) classes.push('active');
    modelNodes.push({ id: node.id, kind: node.kind, label, classes, members: [node.id] });
  }
  for (const group of folded.groups) {
    const classes = ['module'];
    if (group.members.includes(options.activeNode)) classes.push('active');
    modelNodes.push({ id: group.id, kind: 'module', label: group.label, classes, members: group.members });
  }
  for (const group of repeats.groups) {
    const label =
      group.kind === 'constants'
        ? options.labels('collapsed.constants', { count: group.members.length, line: group.line })
        : (() => {
            // A loop's body: the first and last iterations stay drawn, the ones between fold.
            const count = group.members.filter((id) => id.startsWith('f')).length;
            return options.labels('collapsed.label', {
              name: group.name, count, last: count + 1, total: count + 2, line: group.line,
            });
          })();
    const classes = ['collapsed'];
    if (group.members.includes(options.activeNode)) classes.push('active');
    modelNodes.push({ id: group.id, kind: 'collapsed', label, classes, members: group.members, line: group.line });
  }

  const modelEdges = [];
  const foldedPairs = new Set();
  for (const edge of allEdges) {
    if (!shown.has(edge.source) || !shown.has(edge.target)) continue;
    const source = memberOf.get(edge.source) || edge.source;
    const target = memberOf.get(edge.target) || edge.target;
    if (source === target) continue; // inside a collapsed group
    const folded = source !== edge.source || target !== edge.target;
    if (folded) {
      // Many edges into or out of a collapsed group are drawn as one.
      const pair = `${source}->${target}`;
      if (foldedPairs.has(pair)) continue;
      foldedPairs.add(pair);
    }
    // Real parallel edges (y * y uses y twice) are all kept: each carries its own gradient.
    const grad = options.edgeGrad(edge.id);
    const classes = [`edge-${edge.kind || 'next'}`];
    if (grad !== null && grad !== undefined) classes.push('has-grad');
    if (activeEdges.has(edge.id)) classes.push('active');
    modelEdges.push({
      id: edge.id,
      source,
      target,
      label: grad !== null && grad !== undefined ? formatCompact(grad, 2) : '',
      classes,
    });
  }
  return { nodes: modelNodes, edges: modelEdges };
}

// What the inspector says of a selected folded node (a module box or collapsed repeats), or null.
export function foldedGroup(model, id) {
  if (!id?.startsWith('collapsed:') && !id?.startsWith('module:')) return null;
  const group = model?.nodes.find((node) => node.id === id);
  return group
    ? { kind: group.kind, count: group.members.length, line: group.line, label: group.label }
    : null;
}

// Which model node shows a given graph node (itself, or the collapsed group holding it).
export function modelNodeFor(model, nodeId) {
  return model.nodes.find((node) => node.members.includes(nodeId))?.id ?? null;
}
