// bench/page.py: the drawn graph laid out again by the page's engine and by ELK, measured alike.
(async () => {
  const cy = document.querySelector('[data-testid=graph]')._cyreg.cy;
  const { layoutPositions, FAST_LAYOUT_NODES } = await import('/static/js/graph-layout.js');
  const elements = cy.elements().map((e) => ({ group: e.group(), data: { ...e.data() } }));
  const nodes = elements.filter((e) => e.group === 'nodes');
  const edges = elements.filter((e) => e.group === 'edges');
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '11px monospace';
  const overlap = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  function measure(positions, size, ms) {
    const boxes = new Map(nodes.map((n) => {
      const p = positions.get(n.data.id);
      return [n.data.id, [p.x - n.data.w / 2, p.y - n.data.h / 2, p.x + n.data.w / 2, p.y + n.data.h / 2]];
    }));
    const list = [...boxes.values()];
    let nodeOverlaps = 0;
    for (let i = 0; i < list.length; i += 1) {
      for (let j = i + 1; j < list.length; j += 1) if (overlap(list[i], list[j])) nodeOverlaps += 1;
    }
    const labels = edges.filter((e) => e.data.label).map((e) => {
      const a = positions.get(e.data.source), b = positions.get(e.data.target);
      const w = ctx.measureText(e.data.label).width + 4, h = 17;
      const x = (a.x + b.x) / 2, y = (a.y + b.y) / 2;
      return [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
    });
    let labelOverlaps = 0;
    labels.forEach((label, i) => {
      if (list.some((box) => overlap(label, box)) || labels.slice(i + 1).some((o) => overlap(label, o))) {
        labelOverlaps += 1;
      }
    });
    const zoom = Math.min(1.6, (cy.width() - 24) / Math.max(size.width, 1), (cy.height() - 24) / Math.max(size.height, 1));
    return { ms, nodeOverlaps, labels: labels.length, labelOverlaps, textPx: 12 * zoom };
  }
  const out = {};
  let started = performance.now();
  const page = layoutPositions(elements, 'LR');
  out.page = measure(page.positions, page.size, performance.now() - started);
  out.page.engine = nodes.length > FAST_LAYOUT_NODES ? 'layered (own)' : 'dagre';
  const elk = new ELK();
  const graph = {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '18', 'elk.layered.spacing.nodeNodeBetweenLayers': '36' },
    children: nodes.map((n) => ({ id: n.data.id, width: n.data.w, height: n.data.h })),
    edges: edges.map((e) => ({ id: e.data.id, sources: [e.data.source], targets: [e.data.target] })),
  };
  started = performance.now();
  const laid = await elk.layout(graph);
  const ms = performance.now() - started;
  const positions = new Map(laid.children.map((c) => [c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 }]));
  out.elk = measure(positions, { width: laid.width, height: laid.height }, ms);
  out.elk.engine = 'ELK layered';
  return out;
});
