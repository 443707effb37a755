// The only module that touches the graph library (Cytoscape.js + the dagre layout): draws a
// graph model from graph-model.js, reports selection, highlights, zooms and exports.
// Swapping the library means rewriting this file only.

import cytoscape from '../vendor/cytoscape-3.35.0/cytoscape.esm.min.js';
import cytoscapeDagre from '../vendor/cytoscape-dagre-4.0.1/cytoscape-dagre.min.js';

cytoscape.use(cytoscapeDagre);

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
        color: '#8a1c4a',
      },
    },
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

function toElements(model) {
  const nodes = model.nodes.map((node) => ({
    group: 'nodes',
    data: { id: node.id, label: node.label, kind: node.kind, ...nodeSize(node.label, node.kind) },
    classes: node.classes.join(' '),
  }));
  const edges = model.edges.map((edge) => ({
    group: 'edges',
    data: { id: edge.id, source: edge.source, target: edge.target, label: edge.label },
    classes: edge.classes.join(' '),
  }));
  return [...nodes, ...edges];
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
    minZoom: 0.05,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
  });
  let direction = 'LR';
  let currentKey = '';
  cy.on('tap', 'node', (event) => onSelect(event.target.id()));
  cy.on('tap', (event) => {
    if (event.target === cy) onSelect(null);
  });

  function layout() {
    cy.layout({
      name: 'dagre',
      rankDir: direction,
      nodeSep: 24,
      rankSep: direction === 'LR' ? 48 : 36,
      edgeSep: 10,
      fit: true,
      padding: 24,
      animate: false,
    }).run();
  }

  // Redraw; the layout only runs when the set of nodes or edges changed, so replay steps keep
  // every node in place and only relabel.
  function render(model) {
    const started = performance.now();
    const key = structureKey(model);
    if (key !== currentKey) {
      const selected = cy.$('node:selected').map((node) => node.id());
      cy.batch(() => {
        cy.elements().remove();
        cy.add(toElements(model));
      });
      layout();
      currentKey = key;
      for (const id of selected) cy.getElementById(id).select();
    } else {
      cy.batch(() => {
        for (const element of toElements(model)) {
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
    fit: () => cy.fit(undefined, 24),
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
