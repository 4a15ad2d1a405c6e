// Browser bundles of the elements, built from the TypeScript output (tsc -b emits, rollup only bundles):
// - tiepdan.js: the one script a ward page loads; registers every element.
// - registration.js, lookup.js: single-element entries, used for the size budgets in `npm run bench`.
// Minified ES modules, with Lit's production build and every dependency inlined (a ward page has no bundler).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { existsSync } from 'node:fs';

const dist = 'packages/components/dist';
const entries = {
  tiepdan: `${dist}/tiepdan.js`,
  registration: `${dist}/registration/registration.js`,
  lookup: `${dist}/lookup/lookup.js`,
};

export default Object.entries(entries)
  .filter(([, input]) => existsSync(input))
  .map(([name, input]) => ({
    input,
    output: { file: `${dist}/bundle/${name}.js`, format: 'es', sourcemap: true },
    plugins: [nodeResolve({ browser: true, exportConditions: ['production'] }), terser({ format: { comments: false } })],
    onwarn(warning, warn) {
      // zod's comments and internal cycles are known and harmless; anything else is worth reading.
      if (['THIS_IS_UNDEFINED', 'INVALID_ANNOTATION'].includes(warning.code)) return;
      if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
      warn(warning);
    },
  }));
