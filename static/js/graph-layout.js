// Where the nodes go: a layered (Sugiyama) layout of the plain elements, before they reach
// Cytoscape. dagre for normal graphs; above FAST_LAYOUT_NODES a cheap layered layout of our own
// (dagre alone took ~0.8 s CPU for 500 nodes). `engine: 'elk'` lays out with ELK's layered
// algorithm instead (elkjs, loaded on demand) — kept for bench/page.py, which compares the two.

import dagre from '../vendor/dagrejs-dagre-3.0.0/dagre.esm.js';

export const FAST_LAYOUT_NODES = 200;
const RANK_SEP = 36;
const NODE_SEP = 18;

// A cheap Sugiyama-style layout for large graphs, linear in nodes + edges per sweep: ranks by
// longest path, each node then pulled as close as its successors allow (so a leaf sits next to
// its use, not in the first column), a few barycenter sweeps to untangle each rank, and each
// node placed at the mean of its already-placed neighbours without overlapping. No dummy nodes
// for long edges (dagre's costliest part), so a long edge may cross a node.
export function layeredLayout(nodes, edges, direction) {
  const ids = nodes.map((node) => node.data.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const preds = ids.map(() => []);
  const succs = ids.map(() => []);
  for (const edge of edges) {
    const from = index.get(edge.data.source);
    const to = index.get(edge.data.target);
    if (from === undefined || to === undefined || from === to) continue;
    succs[from].push(to);
    preds[to].push(from);
  }
  // Topological order (Kahn); anything left on a cycle is appended in input order.
  const indegree = preds.map((list) => list.length);
  const order = [];
  const queue = ids.map((_, i) => i).filter((i) => indegree[i] === 0);
  for (let head = 0; head < queue.length; head += 1) {
    const v = queue[head];
    order.push(v);
    for (const w of succs[v]) if (--indegree[w] === 0) queue.push(w);
  }
  if (order.length < ids.length) {
    const seen = new Set(order);
    ids.forEach((_, i) => { if (!seen.has(i)) order.push(i); });
  }
  const rank = ids.map(() => 0);
  for (const v of order) for (const w of succs[v]) rank[w] = Math.max(rank[w], rank[v] + 1);
  for (let k = order.length - 1; k >= 0; k -= 1) {
    const v = order[k];
    if (succs[v].length) rank[v] = Math.max(rank[v], Math.min(...succs[v].map((w) => rank[w])) - 1);
  }
  const layers = [];
  for (const v of order) (layers[rank[v]] ||= []).push(v);
  const ranks = layers.filter(Boolean);
  const slot = ids.map(() => 0);
  const renumber = (layer) => layer.forEach((v, i) => { slot[v] = i; });
  ranks.forEach(renumber);
  const sortBy = (layer, neighbours) => {
    const key = new Map(layer.map((v) => {
      const list = neighbours[v];
      return [v, list.length ? list.reduce((sum, w) => sum + slot[w], 0) / list.length : slot[v]];
    }));
    layer.sort((a, b) => key.get(a) - key.get(b));
    renumber(layer);
  };
  for (let sweep = 0; sweep < 2; sweep += 1) {
    for (let r = 1; r < ranks.length; r += 1) sortBy(ranks[r], preds);
    for (let r = ranks.length - 2; r >= 0; r -= 1) sortBy(ranks[r], succs);
  }
  // Rank axis (x for LR) from each rank's widest node; cross axis packed per rank.
  const horizontal = direction === 'LR';
  const along = (v) => (horizontal ? nodes[v].data.w : nodes[v].data.h);
  const across = (v) => (horizontal ? nodes[v].data.h : nodes[v].data.w);
  const ranksep = RANK_SEP;
  const nodesep = NODE_SEP;
  const main = ids.map(() => 0);
  const cross = ids.map(() => 0);
  let offset = 0;
  for (const layer of ranks) {
    const depth = Math.max(...layer.map(along));
    for (const v of layer) main[v] = offset + depth / 2;
    offset += depth + ranksep;
    let floor = -Infinity;
    for (const v of layer) {
      const placed = preds[v].filter((w) => rank[w] < rank[v]);
      const wanted = placed.length ? placed.reduce((sum, w) => sum + cross[w], 0) / placed.length : floor;
      cross[v] = Math.max(wanted, floor + across(v) / 2);
      if (!Number.isFinite(cross[v])) cross[v] = across(v) / 2;
      floor = cross[v] + across(v) / 2 + nodesep;
    }
  }
  let low = Infinity;
  let high = -Infinity;
  ids.forEach((_, v) => {
    low = Math.min(low, cross[v] - across(v) / 2);
    high = Math.max(high, cross[v] + across(v) / 2);
  });
  const positions = new Map();
  ids.forEach((id, v) => {
    const c = cross[v] - low;
    positions.set(id, horizontal ? { x: main[v], y: c } : { x: c, y: main[v] });
  });
  const extent = { main: Math.max(0, offset - ranksep), cross: Math.max(0, high - low) };
  return {
    positions,
    size: horizontal
      ? { width: extent.main, height: extent.cross }
      : { width: extent.cross, height: extent.main },
  };
}

function dagreLayout(nodes, edges, direction) {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: direction, nodesep: NODE_SEP, ranksep: RANK_SEP, edgesep: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.data.id, { width: node.data.w, height: node.data.h });
  for (const edge of edges) graph.setEdge(edge.data.source, edge.data.target, {}, edge.data.id);
  dagre.layout(graph);
  const positions = new Map();
  for (const id of graph.nodes()) {
    const placed = graph.node(id);
    positions.set(id, { x: placed.x, y: placed.y });
  }
  return { positions, size: { width: graph.graph().width || 0, height: graph.graph().height || 0 } };
}

/**
 * elements: Cytoscape element JSON (nodes carry data.w / data.h). Returns
 * {positions: Map id -> {x, y} (centres), size: {width, height}}.
 */
export function layoutPositions(elements, direction) {
  const nodes = elements.filter((element) => element.group === 'nodes');
  const edges = elements.filter((element) => element.group === 'edges');
  if (nodes.length > FAST_LAYOUT_NODES) return layeredLayout(nodes, edges, direction);
  return dagreLayout(nodes, edges, direction);
}
