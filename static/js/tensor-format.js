// Turns the JSON form of tensors (nested lists; NaN/inf as strings) into short and long text.

export function formatNumber(value) {
  if (typeof value === 'string') return value; // "nan", "inf", "-inf"
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return value.toExponential(3).replace(/\.?0+e/, 'e');
  }
  return String(Number(value.toPrecision(5)));
}

export function flatten(value) {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

export function shapeOf(value) {
  const shape = [];
  let level = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

// True when `value` holds fewer numbers than a tensor of `shape`: the server cut it (a large
// tensor, or a value past the result's budget, keeps only its first elements).
export function isCut(value, shape) {
  if (!Array.isArray(shape) || value === null || value === undefined) return false;
  return flatten(value).length < shape.reduce((count, size) => count * size, 1);
}

// One line, at most maxItems numbers, nesting kept: for node labels and table cells. With the
// tensor's `shape`, a value the server cut ends in "…" even when every number it kept shows.
export function formatCompact(value, maxItems = 4, shape = undefined) {
  const text = compact(value, maxItems);
  if (!isCut(value, shape) || text.includes('…')) return text;
  return text.endsWith(']') ? `${text.slice(0, -1)}, …]` : `${text} …`;
}

function compact(value, maxItems) {
  if (value === null || value === undefined) return '—';
  if (!Array.isArray(value)) return formatNumber(value);
  let budget = maxItems;
  const render = (level) => {
    if (!Array.isArray(level)) {
      budget -= 1;
      return formatNumber(level);
    }
    const parts = [];
    for (const item of level) {
      if (budget <= 0) {
        parts.push('…');
        break;
      }
      parts.push(render(item));
    }
    return `[${parts.join(', ')}]`;
  };
  return render(value);
}

// Multi-line, rows aligned, like torch's own printing: for the inspector. With the tensor's
// `shape`, a value the server cut gets a last line "…".
export function formatPretty(value, indent = 0, shape = undefined) {
  const text = pretty(value, indent);
  return isCut(value, shape) ? `${text}\n…` : text;
}

function pretty(value, indent) {
  if (value === null || value === undefined) return 'None';
  if (!Array.isArray(value)) return formatNumber(value);
  const width = Math.max(1, ...flatten(value).map((item) => formatNumber(item).length));
  const render = (level, depth) => {
    if (!Array.isArray(level)) return formatNumber(level).padStart(width);
    if (level.length === 0 || !Array.isArray(level[0])) {
      return `[${level.map((item) => render(item, depth + 1)).join(', ')}]`;
    }
    const pad = ' '.repeat(indent + depth + 1);
    const separator = ',' + '\n'.repeat(shapeOf(level).length - 1) + pad;
    return `[${level.map((item) => render(item, depth + 1)).join(separator)}]`;
  };
  return render(value, 0);
}

export function formatShape(shape) {
  return shape ? `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})` : '';
}
