// Permalinks (#src=<base64url UTF-8 source>&seed=<n>), copying them, and file downloads.

export function encodeSource(source) {
  const bytes = new TextEncoder().encode(source);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeSource(encoded) {
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function permalinkHash({ source, seed }) {
  return `#src=${encodeSource(source)}&seed=${Number(seed) || 0}`;
}

export function readPermalink(hash = window.location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const encoded = params.get('src');
  if (!encoded) return null;
  try {
    return { source: decodeSource(encoded), seed: Number.parseInt(params.get('seed') || '0', 10) || 0 };
  } catch {
    return null; // a damaged link opens the default example instead
  }
}

export function permalinkUrl(program) {
  const url = new URL(window.location.href);
  url.searchParams.delete('example');
  url.hash = permalinkHash(program);
  return url.toString();
}

export function rememberInAddressBar(program) {
  history.replaceState(null, '', permalinkUrl(program));
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission (e.g. in an iframe): the link is in the address bar
  }
}

export function download(filename, blobOrText, type = 'application/octet-stream') {
  const blob = blobOrText instanceof Blob ? blobOrText : new Blob([blobOrText], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
