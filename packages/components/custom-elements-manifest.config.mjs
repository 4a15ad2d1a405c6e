// Custom Elements Manifest for editors and docs, generated from the JSDoc on each element class.
export default {
  globs: ['src/**/*.component.ts'],
  exclude: ['src/**/*.test.ts'],
  outdir: '.',
  litelement: true,
};
