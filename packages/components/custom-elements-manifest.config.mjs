// Custom Elements Manifest for editors and docs, generated from the JSDoc on each element class.
export default {
  // The base class too, so each element's inherited members (server, lang, version) are listed with it.
  globs: ['src/**/*.component.ts', 'src/shared/element.ts'],
  exclude: ['src/**/*.test.ts'],
  outdir: '.',
  litelement: true,
};
