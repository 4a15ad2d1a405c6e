/**
 * What the form needs after its first screen: the steps' screens and the validators (zod/mini schemas and
 * cross-field rules). Together they are more than half of the form's weight, so they load on demand: `preloadLater`
 * starts the download on connect and it lands while the citizen reads the privacy notice. A failed download is
 * forgotten, so the next attempt (Continue, or the retry button) tries again rather than failing for good.
 */
type Later = typeof import('./later-chunk.js');

let loading: Promise<Later> | undefined;

export function loadLater(): Promise<Later> {
  loading ??= import('./later-chunk.js').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Starts the download without waiting; errors surface when the form needs the module. */
export function preloadLater(): void {
  loadLater().catch(() => undefined);
}
