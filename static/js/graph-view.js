// The only module that touches the graph libraries (Cytoscape.js draws, dagre lays out): draws a
// graph model from graph-model.js, reports selection, highlights, zooms and exports.
// Swapping a library means rewriting this file only.

import cytoscape from '../vendor/cytoscape-3.35.0/cytoscape.esm.min.js';
import dagre from '../vendor/dagrejs-dagre-3.0.0/dagre.esm.js';

// Above this many nodes the graph is drawn the cheap way: layeredLayout() instead of dagre (a
// few more crossings, ~50x less CPU; dagre's cheaper options — no crossing-minimisation sweeps,
// the 'tight-tree' ranker — were measured and still cost ~0.8 s for 500 nodes), straight edges,
// and text drawn only once readable. Smaller graphs (every seed program) keep the full drawing.
const FAST_LAYOUT_NODES = 200;
// Rendered font size (px) below which a large graph's labels are skipped: a fitted 500-node graph
// is an overview at ~0.05 zoom; zooming in brings the text back.
const LARGE_GRAPH_MIN_FONT = 7;
// Small graphs are not blown up past this zoom when fitted.
const MAX_FIT_ZOOM = 1.6;
// Low enough that a fitted 500-node graph is whole on screen (cy.viewport ignores a zoom below it).
const MIN_ZOOM = 0.005;

// One palette for the canvas style, the SVG export and the legend (CSS reads the same values).
export const PALETTE = Object.freeze({
  'tensor-leaf': { fill: '#dcf3dc', border: '#2e7d32', shape: 'round-rectangle' },
  'tensor-intermediate': { fill: '#dde9fb', border: '#1558b0', shape: 'round-rectangle' },
  'tensor-constant': { fill: '#f1f1f1', border: '#7a7a7a', shape: 'round-rectangle' },
  fn: { fill: '#f1e6f8', border: '#6a1b9a', shape: 'ellipse' },
  'fn-accumulate': { fill: '#fff1dc', border: '#c25100', shape: 'cut-rectangle' },
  collapsed: { fill: '#fffbe6', border: '#8d6e00', shape: 'barrel' },
});
const ACTIVE_COLOR = '#d81b60';
const CHAR_WIDTH = 7.4;
const LINE_HEIGHT = 15;

function nodeSize(label, kind) {
  const lines = label.split('\n');
  const widest = Math.max(...lines.map((line) => line.length));
  const padding = kind === 'tensor' ? 18 : 30;
  return {
    w: Math.max(60, Math.round(widest * CHAR_WIDTH + padding)),
    h: Math.round(lines.length * LINE_HEIGHT + (kind === 'tensor' ? 14 : 18)),
  };
}

function styleSheet() {
  const rules = [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        'font-family': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        'font-size': 12,
        width: 'data(w)',
        height: 'data(h)',
        'border-width': 1.5,
        'min-zoomed-font-size': 5,
        color: '#1b1b1b',
      },
    },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': '#5f6368',
        'target-arrow-color': '#5f6368',
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 10,
        'font-family': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.9,
        'text-background-padding': 2,
        'min-zoomed-font-size': 6,
        color: '#8a1c4a',
      },
    },
    {
      selector: 'edge.fast',
      style: { 'curve-style': 'straight', 'min-zoomed-font-size': LARGE_GRAPH_MIN_FONT },
    },
    { selector: 'node.fast', style: { 'min-zoomed-font-size': LARGE_GRAPH_MIN_FONT } },
    { selector: 'edge.edge-output', style: { 'line-style': 'dashed' } },
    { selector: 'edge.edge-variable', style: { 'line-style': 'dotted' } },
    {
      selector: 'edge.edge-constant',
      style: { 'line-style': 'dotted', 'line-color': '#a0a0a0', 'target-arrow-color': '#a0a0a0' },
    },
    { selector: 'edge.has-grad', style: { 'line-color': '#8a1c4a', 'target-arrow-color': '#8a1c4a' } },
    {
      selector: 'edge.active',
      style: { width: 4, 'line-color': ACTIVE_COLOR, 'target-arrow-color': ACTIVE_COLOR },
    },
    { selector: 'node.tensor-constant', style: { 'border-style': 'dashed' } },
    { selector: 'node.collapsed', style: { 'border-style': 'double', 'border-width': 4 } },
    {
      selector: 'node.active',
      style: { 'border-width': 4, 'border-color': ACTIVE_COLOR, 'underlay-color': ACTIVE_COLOR,
        'underlay-opacity': 0.18, 'underlay-padding': 6 },
    },
    {
      selector: 'node:selected',
      style: { 'overlay-color': '#1558b0', 'overlay-opacity': 0.16, 'overlay-padding': 5 },
    },
  ];
  for (const [cls, colors] of Object.entries(PALETTE)) {
    rules.splice(rules.length - 2, 0, {
      selector: `node.${cls}`,
      style: { 'background-color': colors.fill, 'border-color': colors.border, shape: colors.shape },
    });
  }
  return rules;
}

function toElements(model, fast = false) {
  const nodes = model.nodes.map((node) => ({
    group: 'nodes',
    data: { id: node.id, label: node.label, kind: node.kind, ...nodeSize(node.label, node.kind) },
    classes: [...node.classes, fast ? 'fast' : ''].join(' '),
  }));
  const edges = model.edges.map((edge) => ({
    group: 'edges',
    data: { id: edge.id, source: edge.source, target: edge.target, label: edge.label },
    classes: [...edge.classes, fast ? 'fast' : ''].join(' '),
  }));
  return [...nodes, ...edges];
}

// A cheap Sugiyama-style layout for large graphs, linear in nodes + edges per sweep: ranks by
// longest path, each node then pulled as close as its successors allow (so a leaf sits next to
// its use, not in the first column), a few barycenter sweeps to untangle each rank, and each
// node placed at the mean of its already-placed neighbours without overlapping. No dummy nodes
// for long edges (dagre's costliest part), so a long edge may cross a node.
function layeredLayout(nodes, edges, direction) {
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
  const ranksep = 32;
  const nodesep = 16;
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

function structureKey(model) {
  return [
    model.nodes.map((node) => node.id).join(','),
    model.edges.map((edge) => `${edge.id}:${edge.source}>${edge.target}`).join(','),
  ].join('|');
}

export function createGraphView(container, { onSelect }) {
  const cy = cytoscape({
    container,
    style: styleSheet(),
    minZoom: MIN_ZOOM,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
  });
  let direction = 'LR';
  let currentKey = '';
  let layoutSize = { width: 0, height: 0 };
  // Cytoscape reads these renderer flags on every frame but only takes them as init options:
  // while panning or zooming a large graph, move a snapshot and leave the edges out.
  function setLargeGraphMode(large) {
    const renderer = cy.renderer();
    renderer.textureOnViewport = large;
    renderer.hideEdgesOnViewport = large;
  }
  // The viewport in a data-* attribute: tests and embedders can map graph to screen positions.
  const publishViewport = () => {
    container.dataset.viewport = JSON.stringify({ zoom: cy.zoom(), pan: cy.pan() });
  };
  cy.on('viewport', publishViewport);
  cy.on('tap', 'node', (event) => onSelect(event.target.id()));
  cy.on('tap', (event) => {
    if (event.target === cy) onSelect(null);
  });

  // Layered layout computed on the plain elements, before they reach Cytoscape: adding nodes with
  // their final positions costs one style pass instead of two. dagre for normal graphs; above
  // FAST_LAYOUT_NODES the cheaper layeredLayout below (dagre alone took ~0.8 s CPU for 500 nodes).
  function layoutPositions(elements) {
    const nodes = elements.filter((element) => element.group === 'nodes');
    const edges = elements.filter((element) => element.group === 'edges');
    if (nodes.length > FAST_LAYOUT_NODES) return layeredLayout(nodes, edges, direction);
    const graph = new dagre.graphlib.Graph({ multigraph: true });
    graph.setGraph({ rankdir: direction, nodesep: 16, ranksep: 32, edgesep: 10 });
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

  // Fit from the layout's own extent: cy.fit() would measure every label first, which for a
  // few hundred nodes costs as much as the layout itself.
  function fitTo(size) {
    layoutSize = size;
    const padding = 12;
    const zoom = Math.max(MIN_ZOOM, Math.min(
      MAX_FIT_ZOOM,
      (cy.width() - 2 * padding) / Math.max(size.width, 1),
      (cy.height() - 2 * padding) / Math.max(size.height, 1),
    ));
    cy.viewport({
      zoom,
      pan: {
        x: (cy.width() - size.width * zoom) / 2,
        y: (cy.height() - size.height * zoom) / 2,
      },
    });
  }

  function layout() {
    const elements = cy.elements().map((element) => ({
      group: element.group(),
      data: element.data(),
    }));
    const { positions, size } = layoutPositions(elements);
    cy.batch(() => cy.nodes().forEach((node) => node.position(positions.get(node.id()))));
    fitTo(size);
  }

  // Redraw; the layout only runs when the set of nodes or edges changed, so replay steps keep
  // every node in place and only relabel.
  function render(model) {
    const started = performance.now();
    const key = structureKey(model);
    if (key !== currentKey) {
      const selected = cy.$('node:selected').map((node) => node.id());
      const large = model.nodes.length > FAST_LAYOUT_NODES;
      const elements = toElements(model, large);
      const { positions, size } = layoutPositions(elements);
      setLargeGraphMode(large);
      for (const element of elements) {
        if (element.group === 'nodes') element.position = positions.get(element.data.id);
      }
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      fitTo(size);
      currentKey = key;
      for (const id of selected) cy.getElementById(id).select();
    } else {
      cy.batch(() => {
        for (const element of toElements(model, model.nodes.length > FAST_LAYOUT_NODES)) {
          const existing = cy.getElementById(element.data.id);
          existing.data(element.data);
          existing.classes(element.classes);
        }
      });
    }
    return performance.now() - started;
  }

  function select(id) {
    cy.$(':selected').unselect();
    if (!id) return;
    const node = cy.getElementById(id);
    if (node.nonempty()) node.select();
  }

  function setDirection(newDirection) {
    direction = newDirection;
    if (cy.nodes().nonempty()) layout();
  }

  function zoomBy(factor) {
    cy.zoom({
      level: cy.zoom() * factor,
      renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 },
    });
  }

  function exportPng() {
    return cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' });
  }

  function exportSvg() {
    return graphToSvg(cy);
  }

  return {
    render,
    select,
    setDirection,
    // A large graph fits from the layout extent: cy.fit() would measure every label first.
    fit: () => (cy.nodes().length > FAST_LAYOUT_NODES ? fitTo(layoutSize) : cy.fit(undefined, 12)),
    zoomBy,
    resize: () => cy.resize(),
    exportPng,
    exportSvg,
    nodeCount: () => cy.nodes().length,
    nodeScreenPosition: (id) => {
      const node = cy.getElementById(id);
      return node.nonempty() ? node.renderedPosition() : null;
    },
  };
}

function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function svgShape(shape, x, y, w, h, fill, stroke, extra) {
  const common = `fill="${fill}" stroke="${stroke}" stroke-width="1.5"${extra}`;
  if (shape === 'ellipse') {
    return `<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" ${common}/>`;
  }
  const radius = shape === 'round-rectangle' ? 6 : 2;
  return `<rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" rx="${radius}" ${common}/>`;
}

// A standalone SVG of the current drawing, from the laid-out positions (no extra library).
function graphToSvg(cy) {
  const box = cy.elements().boundingBox({ includeLabels: true });
  const pad = 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box.x1 - pad} ${box.y1 - pad} ` +
      `${box.w + 2 * pad} ${box.h + 2 * pad}" width="${Math.ceil(box.w + 2 * pad)}" ` +
      `height="${Math.ceil(box.h + 2 * pad)}" font-family="monospace" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" ' +
      'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" ' +
      'fill="#5f6368"/></marker></defs>',
    `<rect x="${box.x1 - pad}" y="${box.y1 - pad}" width="${box.w + 2 * pad}" ` +
      `height="${box.h + 2 * pad}" fill="#ffffff"/>`,
  ];
  cy.edges().forEach((edge) => {
    const from = edge.sourceEndpoint();
    const to = edge.targetEndpoint();
    const dash = edge.hasClass('edge-output') ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${from.x}" y1="${from.y}" x2="${to.x}" y2="${to.y}" stroke="#5f6368" ` +
        `stroke-width="1.5"${dash} marker-end="url(#arrow)" data-edge-id="${escapeXml(edge.id())}"/>`,
    );
    const label = edge.data('label');
    if (label) {
      const mid = edge.midpoint();
      parts.push(
        `<text x="${mid.x}" y="${mid.y}" font-size="10" text-anchor="middle" fill="#8a1c4a" ` +
          `stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text>`,
      );
    }
  });
  cy.nodes().forEach((node) => {
    const { x, y } = node.position();
    const w = node.data('w');
    const h = node.data('h');
    const cls = Object.keys(PALETTE).find((name) => node.hasClass(name)) || 'fn';
    const colors = PALETTE[cls];
    const dash = cls === 'tensor-constant' ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<g data-node-id="${escapeXml(node.id())}" class="${cls}">`);
    parts.push(svgShape(colors.shape, x, y, w, h, colors.fill, colors.border, dash));
    const lines = String(node.data('label')).split('\n');
    lines.forEach((line, index) => {
      const dy = (index - (lines.length - 1) / 2) * LINE_HEIGHT + 4;
      parts.push(
        `<text x="${x}" y="${y + dy}" text-anchor="middle" xml:space="preserve">` +
          `${escapeXml(line)}</text>`,
      );
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}
