// One name per node, everywhere (graph, table, inspector, why-chain, variables): a tensor's
// program names, else its id; a function node's grad_fn name.

export function nodeCaption(node) {
  if (!node) return '?';
  if (node.kind === 'function') return node.name;
  return node.names?.length ? node.names.join(', ') : node.id;
}

// The single name used inside formulas such as ∂out/∂y.
export function tensorName(node) {
  if (!node) return '?';
  return node.names?.length ? node.names[0] : node.id;
}
