// Fetching the site's own files, relative to the site root, with progress reports.

export const siteRoot = new URL("../../../", import.meta.url);

export async function fetchOk(path) {
  const response = await fetch(new URL(path, siteRoot));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

export async function fetchText(path) {
  return (await fetchOk(path)).text();
}

/** Fetch `path` as bytes, calling onProgress(loadedBytes, totalBytes) as chunks arrive. */
export async function fetchBytes(path, onProgress) {
  const response = await fetchOk(path);
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  return bytes;
}
