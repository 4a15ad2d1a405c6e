/**
 * The one script a ward's page includes. It registers nothing heavy up front: it watches the page for tiepdan
 * tags and loads each element's module the first time its tag appears, so a citizen's registration page never
 * downloads the video room, and officials' pages never download the form. Safe to load twice (each element's
 * define is guarded, and a second loader only repeats look-ups that find the elements already defined).
 *
 * Developers who bundle the package themselves import the classes from `@tiepdan/components` instead.
 */
const ELEMENTS: Record<string, () => Promise<unknown>> = {
  'tiepdan-registration': () => import('./registration/registration.js'),
  'tiepdan-lookup': () => import('./lookup/lookup.js'),
  'tiepdan-screening': () => import('./screening/screening.js'),
  'tiepdan-schedule': () => import('./schedule/schedule.js'),
  'tiepdan-schedule-editor': () => import('./schedule-editor/schedule-editor.js'),
  'tiepdan-room': () => import('./room/room.js'),
  'tiepdan-recorder': () => import('./recorder/recorder.js'),
  'tiepdan-sign-in': () => import('./sign-in/sign-in.js'),
  'tiepdan-desk': () => import('./desk/desk.js'),
  'tiepdan-register': () => import('./register/register.js'),
  'tiepdan-confirmation': () => import('./confirmation/confirmation.js'),
};

const loading = new Set<string>();

function load(tag: string): void {
  const loader = ELEMENTS[tag];
  if (!loader || loading.has(tag) || customElements.get(tag)) return;
  loading.add(tag);
  // A failed download (flaky network) is forgotten, so the tag's next appearance tries again.
  loader().catch((error: unknown) => {
    loading.delete(tag);
    console.warn(`tiepdan: <${tag}> could not be loaded`, error);
  });
}

function scan(root: ParentNode): void {
  for (const tag of Object.keys(ELEMENTS)) if (root.querySelector(tag)) load(tag);
}

scan(document);
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (!(node instanceof Element)) continue;
      load(node.localName);
      scan(node);
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });

/** Loads an element's module now (for a page that creates the element later and wants it ready). */
export function preload(tag: keyof typeof ELEMENTS): void {
  load(tag);
}
