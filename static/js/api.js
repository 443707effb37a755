// The page's only contact with the server: the v1 JSON API on the page's own origin.

const API_ROOT = '/api/v1';

async function requestJson(path, options = {}) {
  const response = await fetch(`${API_ROOT}${path}`, {
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    ...options,
  });
  if (!response.ok) {
    const body = await response.text();
    throw new Error(`HTTP ${response.status}: ${body.slice(0, 300)}`);
  }
  return response.json();
}

export async function fetchExamples() {
  const examples = await requestJson('/examples');
  // The contract says a list; tolerate an {examples: [...]} envelope too.
  return Array.isArray(examples) ? examples : examples.examples || [];
}

// One run records everything the page shows: stepping and the timeline need no more requests.
export function runProgram({ source, seed }) {
  return requestJson('/run', {
    method: 'POST',
    body: JSON.stringify({ source, seed }),
  });
}
