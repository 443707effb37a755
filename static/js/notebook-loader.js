// Loads the view's ES modules in a notebook output without any network: each module (text
// shipped in the output or the widget) becomes a blob: URL, its relative imports rewritten to
// the blob URLs of its dependencies. Not a module itself: autograd_playground/render.py
// inlines it into the static HTML fallback and into the anywidget module.
function agpLoadView(sources, entry) {
  const urls = new Map();
  const resolve = (base, spec) => {
    const parts = base.split('/').slice(0, -1);
    for (const piece of spec.split('/')) {
      if (piece === '..') parts.pop();
      else if (piece !== '.') parts.push(piece);
    }
    return parts.join('/');
  };
  const load = (path) => {
    if (urls.has(path)) return urls.get(path);
    let text = sources[path];
    if (text === undefined) throw new Error(`module ${path} is not in the package`);
    if (path.startsWith('js/')) {
      text = text.replace(/((?:from|import)\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (m, keyword, quote, spec) => `${keyword}${quote}${load(resolve(path, spec))}${quote}`);
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
    urls.set(path, url);
    return url;
  };
  return import(load(entry));
}

function agpShowFailure(root, error) {
  root.dataset.graphState = 'failed';
  const note = document.createElement('p');
  note.className = 'agp-failure';
  note.textContent = `The view could not be drawn / 보기를 그리지 못했습니다: ${error}`;
  root.replaceChildren(note);
}
