/** What the console's and the dashboard's pages start from: the bootstrap data block their
 * template carries, and this browser's storage if it lets us have it. */

/** The JSON of the page's `<script type="application/json" id=...>` data block. */
export function readDataBlock<T>(id: string): T {
  const node = document.getElementById(id);
  if (!node || !node.textContent) throw new Error(`${id} is missing`);
  return JSON.parse(node.textContent) as T;
}

/** localStorage, or null where the browser refuses it (privacy modes, sandboxed frames). */
export function localStorageOrNull(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
