// The page's only contact with the server: the v1 JSON API on the page's own origin.
//
// A busy server answers a run with 503 and Retry-After (the wait it expects beyond its budget).
// That is not an error to show a student: the run waits that long (plus jitter, so a class
// that pressed Run together does not come back in one wave), says "queued — about N s", and
// tries again, a bounded number of times. The caller can cancel the wait with an AbortSignal.

const API_ROOT = '/api/v1';
const CLIENT_ID_KEY = 'autograd-playground.client';
export const CLIENT_ID_HEADER = 'X-Playground-Client';
export const RETRY = Object.freeze({
  attempts: 8, // 503s answered with a wait before the run is given up as an error
  maxWaitSeconds: 30, // never wait longer than this at once, whatever the header says
  jitter: 0.5, // wait Retry-After × (1 + up to this fraction), spread at random
});

let clientId = null;

// An anonymous id for this browser, so fair scheduling tells apart students behind one NAT
// address (app/api/client_identity.py). Random, kept in localStorage, never tied to a person.
function browserId() {
  if (clientId) return clientId;
  try {
    clientId = localStorage.getItem(CLIENT_ID_KEY);
  } catch {
    // Storage blocked (sandboxed iframe): an id for this page load only.
  }
  if (!clientId || !/^[A-Za-z0-9_-]{16,64}$/.test(clientId)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    clientId = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    try {
      localStorage.setItem(CLIENT_ID_KEY, clientId);
    } catch {
      // Not remembered; still sent for this page.
    }
  }
  return clientId;
}

// Retry-After is whole seconds or an HTTP date; anything else means "shortly".
export function retryAfterSeconds(header, now = Date.now()) {
  const value = String(header ?? '').trim();
  let seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds) || seconds < 1) seconds = 1;
  return Math.min(seconds, RETRY.maxWaitSeconds);
}

function abortError() {
  return new DOMException('The run was cancelled.', 'AbortError');
}

// Wait `ms`, telling `onTick` the whole seconds left once a second; rejects when aborted.
function waitFor(ms, signal, onTick) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const end = Date.now() + ms;
    let timer = null;
    const tick = () => {
      const left = end - Date.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', cancel);
        resolve();
        return;
      }
      onTick?.(Math.ceil(left / 1000));
      timer = setTimeout(tick, Math.min(1000, left));
    };
    const cancel = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', cancel, { once: true });
    tick();
  });
}

async function requestJson(path, options = {}, { signal, onQueued, onRetry } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${API_ROOT}${path}`, {
      ...options,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        [CLIENT_ID_HEADER]: browserId(),
      },
      signal,
    });
    if (response.status === 503 && attempt < RETRY.attempts) {
      await response.body?.cancel();
      const seconds = retryAfterSeconds(response.headers.get('Retry-After'));
      const wait = seconds * 1000 * (1 + RETRY.jitter * Math.random());
      await waitFor(wait, signal, (left) => onQueued?.({ seconds: left, attempt: attempt + 1 }));
      onRetry?.({ attempt: attempt + 1 });
      continue;
    }
    if (!response.ok) {
      const body = await response.text();
      throw new Error(`HTTP ${response.status}: ${body.slice(0, 300)}`);
    }
    return response.json();
  }
}

export async function fetchExamples() {
  const examples = await requestJson('/examples');
  // The contract says a list; tolerate an {examples: [...]} envelope too.
  return Array.isArray(examples) ? examples : examples.examples || [];
}

// One run records everything the page shows: stepping and the timeline need no more requests.
// `onQueued({seconds})` is called while the server asks the run to wait, `onRetry()` when it is
// sent again; aborting `signal` cancels it (the promise rejects with an AbortError).
export function runProgram({ source, seed }, { signal, onQueued, onRetry } = {}) {
  return requestJson(
    '/run',
    { method: 'POST', body: JSON.stringify({ source, seed }) },
    { signal, onQueued, onRetry },
  );
}
