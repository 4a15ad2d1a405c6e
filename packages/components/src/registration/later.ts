/**
 * The validators (zod/mini schemas and cross-field rules, about half of the form's weight) load on demand: the
 * first step shows without them and they arrive while the citizen reads the privacy notice (`preload` runs on
 * connect). A failed download is forgotten so the next Continue tries again rather than failing for good.
 */
type Validation = typeof import('@tiepdan/core/registration/validate');

let loading: Promise<Validation> | undefined;

export function loadValidation(): Promise<Validation> {
  loading ??= import('@tiepdan/core/registration/validate').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Starts the download without waiting; errors surface later, when a step is validated. */
export function preloadValidation(): void {
  loadValidation().catch(() => undefined);
}
