// What a node looks like, shared by the canvas (graph-view.js), the layout (node sizes) and the
// SVG export (graph-export.js); playground.css uses the same colours for the legend.

export const PALETTE = Object.freeze({
  'tensor-leaf': { fill: '#dcf3dc', border: '#2e7d32', shape: 'round-rectangle' },
  'tensor-intermediate': { fill: '#dde9fb', border: '#1558b0', shape: 'round-rectangle' },
  'tensor-constant': { fill: '#f1f1f1', border: '#7a7a7a', shape: 'round-rectangle' },
  fn: { fill: '#f1e6f8', border: '#6a1b9a', shape: 'ellipse' },
  'fn-accumulate': { fill: '#fff1dc', border: '#c25100', shape: 'cut-rectangle' },
  collapsed: { fill: '#fffbe6', border: '#8d6e00', shape: 'barrel' },
  module: { fill: '#e6f4f1', border: '#00695c', shape: 'round-tag' },
});
export const ACTIVE_COLOR = '#d81b60';
export const MONO_FONT =
  'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "Nanum Gothic Coding", "Noto Sans Mono CJK KR", monospace';
// Node text size in graph units: at zoom 1 it renders at this many CSS px.
export const NODE_FONT_PX = 12;
export const EDGE_FONT_PX = 11;
// Monospace advance at NODE_FONT_PX (≈ 0.6 em) and line height: node boxes fit their text.
export const CHAR_WIDTH = 7.3;
export const LINE_HEIGHT = 15;

export function nodeSize(label, kind) {
  const lines = label.split('\n');
  const widest = Math.max(...lines.map((line) => line.length));
  const padding = kind === 'tensor' ? 18 : 30;
  return {
    w: Math.max(60, Math.round(widest * CHAR_WIDTH + padding)),
    h: Math.round(lines.length * LINE_HEIGHT + (kind === 'tensor' ? 14 : 18)),
  };
}
