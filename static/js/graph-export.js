// Exports of the drawing: a standalone SVG built from the laid-out positions (no extra
// library) and Cytoscape's own PNG.

import { EDGE_FONT_PX, LINE_HEIGHT, NODE_FONT_PX, PALETTE } from './graph-palette.js';

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
export function graphToSvg(cy) {
  const box = cy.elements().boundingBox({ includeLabels: true });
  const pad = 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box.x1 - pad} ${box.y1 - pad} ` +
      `${box.w + 2 * pad} ${box.h + 2 * pad}" width="${Math.ceil(box.w + 2 * pad)}" ` +
      `height="${Math.ceil(box.h + 2 * pad)}" font-family="monospace" font-size="${NODE_FONT_PX}">`,
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
    // A label the view hid (it would overlap a node or another label) stays hidden here too.
    if (label && !edge.hasClass('label-hidden')) {
      const mid = edge.midpoint();
      parts.push(
        `<text x="${mid.x}" y="${mid.y}" font-size="${EDGE_FONT_PX}" text-anchor="middle" fill="#8a1c4a" ` +
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

export function graphToPng(cy) {
  return cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' });
}
