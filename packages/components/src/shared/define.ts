/**
 * Registers a custom element once. A ward page may include our script twice (a CMS block and a template both
 * adding it); a second `customElements.define` would throw and break the page, so a repeat is ignored and a
 * different version only warns: the first copy stays in charge.
 */
export type VersionedElement = CustomElementConstructor & { version?: string };

export function define(name: string, element: VersionedElement): void {
  const existing = customElements.get(name) as VersionedElement | undefined;
  if (!existing) {
    customElements.define(name, element);
    return;
  }
  if (existing !== element && existing.version !== element.version) {
    console.warn(`tiepdan: <${name}> ${existing.version ?? '?'} is already defined; ignoring version ${element.version ?? '?'}.`);
  }
}
