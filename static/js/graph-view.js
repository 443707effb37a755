// The Cytoscape.js wiring: draws a graph model from graph-model.js with positions from
// graph-layout.js, reports selection, highlights, zooms, keeps the text readable, and hands the
// drawing to graph-export.js. The only module that talks to Cytoscape's API.

import cytoscape from '../vendor/cytoscape-3.35.0/cytoscape.esm.min.js';
import { graphToPng, graphToSvg } from './graph-export.js';
import { FAST_LAYOUT_NODES, layoutPositions } from './graph-layout.js';
import { ACTIVE_COLOR, EDGE_FONT_PX, MONO_FONT, NODE_FONT_PX, PALETTE, nodeSize } from './graph-palette.js';

export { PALETTE };

// Rendered font size (px) below which a large graph's labels are skipped: a fitted 500-node graph
// is an overview at ~0.05 zoom; zooming in brings the text back.
const LARGE_GRAPH_MIN_FONT = 7;
// Up to this many nodes the default view keeps node text at NODE_FONT_PX × READABLE_ZOOM CSS px
// (12 px) at least: the canvas grows taller, and what does not fit is reached by panning.
export const READABLE_NODES = 40;
const READABLE_ZOOM = 1;
// Small graphs are not blown up past this zoom when fitted.
const MAX_FIT_ZOOM = 1.6;
// Low enough that a fitted 500-node graph is whole on screen (cy.viewport ignores a zoom below it).
const MIN_ZOOM = 0.005;
const FIT_PADDING = 12;

function styleSheet() {
  const rules = [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        'font-family': MONO_FONT,
        'font-size': NODE_FONT_PX,
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
        'font-size': EDGE_FONT_PX,
        'font-family': MONO_FONT,
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
    // A label that would overlap a node or another label waits for hover or selection.
    { selector: 'edge.label-hidden', style: { 'text-opacity': 0, 'text-background-opacity': 0 } },
    {
      selector: 'edge.label-hidden.reveal',
      style: { 'text-opacity': 1, 'text-background-opacity': 0.95, 'z-index': 20 },
    },
    {
      selector: 'edge.active',
      style: { width: 4, 'line-color': ACTIVE_COLOR, 'target-arrow-color': ACTIVE_COLOR },
    },
    { selector: 'node.tensor-constant', style: { 'border-style': 'dashed' } },
    { selector: 'node.collapsed', style: { 'border-style': 'double', 'border-width': 4 } },
    { selector: 'node.module', style: { 'border-width': 3 } },
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

function structureKey(model) {
  return [
    model.nodes.map((node) => node.id).join(','),
    model.edges.map((edge) => `${edge.id}:${edge.source}>${edge.target}`).join(','),
  ].join('|');
}

function overlaps(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

/**
 * options: onSelect(id), maxHeight(): the tallest the canvas may grow (px) for a readable
 * default view (0 = keep the CSS height, as in embed mode).
 */
export function createGraphView(container, { onSelect, maxHeight = () => 0 }) {
  const cy = cytoscape({
    container,
    style: styleSheet(),
    minZoom: MIN_ZOOM,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
  });
  // null = choose per graph (the direction whose default view is more readable).
  let direction = null;
  let chosenDirection = 'LR';
  let currentKey = '';
  let layoutSize = { width: 0, height: 0 };
  const baseHeight = container.clientHeight;
  // Cytoscape reads these renderer flags on every frame but only takes them as init options:
  // while panning or zooming a large graph, move a snapshot and leave the edges out.
  function setLargeGraphMode(large) {
    const renderer = cy.renderer();
    renderer.textureOnViewport = large;
    renderer.hideEdgesOnViewport = large;
  }
  // The viewport in data-* attributes: tests and embedders map graph to screen positions, and
  // read the smallest node text as rendered (CSS px).
  const publishViewport = () => {
    container.dataset.viewport = JSON.stringify({ zoom: cy.zoom(), pan: cy.pan() });
    container.dataset.minLabelPx = cy.nodes().nonempty()
      ? String(Math.round(NODE_FONT_PX * cy.zoom() * 100) / 100)
      : '';
    container.dataset.direction = chosenDirection;
  };
  cy.on('viewport', publishViewport);
  cy.on('tap', 'node', (event) => onSelect(event.target.id()));
  cy.on('tap', (event) => {
    if (event.target === cy) onSelect(null);
  });
  // Hidden edge labels come back on hover, and around the selected node.
  cy.on('mouseover', 'edge', (event) => event.target.addClass('reveal'));
  cy.on('mouseout', 'edge', (event) => {
    if (!event.target.connectedNodes(':selected').nonempty()) event.target.removeClass('reveal');
  });

  // Greedy label placement: in a fixed order (active edges first), an edge label is shown only
  // where it overlaps no node and no label already shown; the others wait for hover/selection.
  function placeEdgeLabels() {
    const nodeBoxes = cy.nodes().map((node) => node.boundingBox({ includeLabels: true, includeOverlays: false }));
    const shown = [];
    const edges = cy.edges().filter((edge) => edge.data('label'));
    const ordered = [...edges.filter('.active'), ...edges.filter(':not(.active)')];
    cy.batch(() => {
      for (const edge of ordered) {
        edge.removeClass('label-hidden');
        const box = edge.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
        const clash = box.w === 0 || nodeBoxes.some((nodeBox) => overlaps(box, nodeBox)) ||
          shown.some((other) => overlaps(box, other));
        if (clash) edge.addClass('label-hidden');
        else shown.push(box);
      }
    });
    container.dataset.hiddenEdgeLabels = String(ordered.length - shown.length);
  }

  // The zoom of a readable default view of a layout of `size`: fitted when the whole graph fits
  // at READABLE_ZOOM, else READABLE_ZOOM (up to READABLE_NODES nodes) and a taller canvas.
  function readableZoom(size, nodeCount, height) {
    const fit = Math.min(
      MAX_FIT_ZOOM,
      (cy.width() - 2 * FIT_PADDING) / Math.max(size.width, 1),
      (height - 2 * FIT_PADDING) / Math.max(size.height, 1),
    );
    if (nodeCount > READABLE_NODES) return Math.max(MIN_ZOOM, fit);
    return Math.max(READABLE_ZOOM, fit);
  }

  function setCanvasHeight(size, nodeCount) {
    const limit = maxHeight();
    if (!limit || nodeCount > READABLE_NODES) {
      container.style.height = '';
      cy.resize();
      return;
    }
    const wanted = size.height * readableZoom(size, nodeCount, limit) + 2 * FIT_PADDING;
    container.style.height = `${Math.round(Math.max(baseHeight, Math.min(limit, wanted)))}px`;
    cy.resize();
  }

  // Fit from the layout's own extent (cy.fit() would measure every label first); a graph larger
  // than the canvas at a readable zoom shows its top-left (where the inputs are) first.
  function fitTo(size) {
    layoutSize = size;
    const zoom = readableZoom(size, cy.nodes().length, cy.height());
    const width = size.width * zoom;
    const height = size.height * zoom;
    cy.viewport({
      zoom,
      pan: {
        x: width <= cy.width() ? (cy.width() - width) / 2 : FIT_PADDING,
        y: height <= cy.height() ? (cy.height() - height) / 2 : FIT_PADDING,
      },
    });
    publishViewport();
  }

  // Both directions for a readable-size graph, keeping the one whose default view shows more.
  function pickLayout(elements, nodeCount) {
    if (direction) {
      chosenDirection = direction;
      return layoutPositions(elements, direction);
    }
    if (nodeCount > READABLE_NODES) {
      chosenDirection = 'LR';
      return layoutPositions(elements, 'LR');
    }
    const height = maxHeight() || cy.height();
    let best = null;
    for (const candidate of ['LR', 'TB']) {
      const placed = layoutPositions(elements, candidate);
      const zoom = Math.min(
        (cy.width() - 2 * FIT_PADDING) / Math.max(placed.size.width, 1),
        (height - 2 * FIT_PADDING) / Math.max(placed.size.height, 1),
      );
      if (!best || zoom > best.zoom + 1e-6) best = { zoom, placed, candidate };
    }
    chosenDirection = best.candidate;
    return best.placed;
  }

  function layout() {
    const elements = cy.elements().map((element) => ({ group: element.group(), data: element.data() }));
    const { positions, size } = pickLayout(elements, cy.nodes().length);
    cy.batch(() => cy.nodes().forEach((node) => node.position(positions.get(node.id()))));
    setCanvasHeight(size, cy.nodes().length);
    fitTo(size);
    placeEdgeLabels();
  }

  // Redraw; the layout only runs when the set of nodes or edges changed, so replay steps keep
  // every node in place and only relabel.
  function render(model) {
    const started = performance.now();
    const key = structureKey(model);
    const large = model.nodes.length > FAST_LAYOUT_NODES;
    if (key !== currentKey) {
      const selected = cy.$('node:selected').map((node) => node.id());
      const elements = toElements(model, large);
      const { positions, size } = pickLayout(elements, model.nodes.length);
      setLargeGraphMode(large);
      for (const element of elements) {
        if (element.group === 'nodes') element.position = positions.get(element.data.id);
      }
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      setCanvasHeight(size, model.nodes.length);
      fitTo(size);
      currentKey = key;
      for (const id of selected) cy.getElementById(id).select();
    } else if (large) {
      cy.batch(() => {
        for (const element of toElements(model, large)) {
          const existing = cy.getElementById(element.data.id);
          existing.data(element.data);
          existing.classes(element.classes);
        }
      });
    } else {
      // Relabel (a replay or timeline step): same places, each node keeping at least the size
      // the layout gave it (so a shorter label never lets neighbours overlap a longer one later).
      // The elements are re-added rather than updated: Cytoscape's label texture cache kept
      // drawing the old text into the resized box.
      const elements = toElements(model, large);
      const selected = cy.$('node:selected').map((node) => node.id());
      for (const element of elements) {
        if (element.group !== 'nodes') continue;
        const existing = cy.getElementById(element.data.id);
        element.position = { ...existing.position() };
        element.data.w = Math.max(element.data.w, existing.data('w'));
        element.data.h = Math.max(element.data.h, existing.data('h'));
      }
      const viewport = { zoom: cy.zoom(), pan: { ...cy.pan() } };
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      cy.viewport(viewport);
      for (const id of selected) cy.getElementById(id).select();
    }
    if (!large) placeEdgeLabels();
    revealAroundSelection();
    return performance.now() - started;
  }

  function revealAroundSelection() {
    cy.edges('.reveal').removeClass('reveal');
    cy.$('node:selected').connectedEdges().addClass('reveal');
  }

  function select(id) {
    cy.$(':selected').unselect();
    if (id) {
      const node = cy.getElementById(id);
      if (node.nonempty()) node.select();
    }
    revealAroundSelection();
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

  return {
    render,
    select,
    setDirection,
    direction: () => chosenDirection,
    // The readable default view again (what the page showed after drawing).
    fit: () => fitTo(layoutSize),
    zoomBy,
    resize: () => {
      cy.resize();
      publishViewport();
    },
    exportPng: () => graphToPng(cy),
    exportSvg: () => graphToSvg(cy),
    nodeCount: () => cy.nodes().length,
    nodeScreenPosition: (id) => {
      const node = cy.getElementById(id);
      return node.nonempty() ? node.renderedPosition() : null;
    },
  };
}
