// Browser bundles of the elements, built from the TypeScript output (tsc -b emits, rollup only bundles).
// - bundle/tiepdan.js: the one script a ward page loads; registers every element.
// - bundle/elements/<name>/<name>.js: each element alone, as a developer would load just one; these give the
//   size budgets in `npm run bench` (built separately, so one element's figure does not depend on the others).
// Code loaded on demand (the registration's validators) becomes its own chunk under chunks/.
// Minified ES modules with Lit's production build and every dependency inlined (a ward page has no bundler).
// manifest.json lists, per entry, the chunks it loads at once and those it may load later. Every script also gets
// .br and .gz copies for the server to send pre-compressed.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';
import { existsSync } from 'node:fs';
import { precompress } from './scripts/rollup-precompress.mjs';
import { workerFiles } from './scripts/rollup-worker-files.mjs';

const dist = 'packages/components/dist';
const entries = Object.fromEntries(
  Object.entries({
    tiepdan: `${dist}/tiepdan.js`,
    registration: `${dist}/registration/registration.js`,
    lookup: `${dist}/lookup/lookup.js`,
    screening: `${dist}/screening/screening.js`,
    schedule: `${dist}/schedule/schedule.js`,
    'schedule-editor': `${dist}/schedule-editor/schedule-editor.js`,
    room: `${dist}/room/room.js`,
    recorder: `${dist}/recorder/recorder.js`,
    'sign-in': `${dist}/sign-in/sign-in.js`,
    desk: `${dist}/desk/desk.js`,
    register: `${dist}/register/register.js`,
    confirmation: `${dist}/confirmation/confirmation.js`,
  }).filter(([, input]) => existsSync(input)),
);

/** Writes manifest.json: for each entry, the chunks it loads at once (initial) and those it may load later (lazy). */
function manifest() {
  return {
    name: 'tiepdan-manifest',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      const closure = (start, follow) => {
        const seen = new Set();
        const visit = (name) => {
          if (seen.has(name)) return;
          seen.add(name);
          const chunk = byName.get(name);
          for (const next of follow(chunk)) visit(next);
        };
        visit(start);
        return [...seen];
      };
      const out = {};
      for (const chunk of chunks.filter((c) => c.isEntry)) {
        const initial = closure(chunk.fileName, (c) => c.imports);
        const all = closure(chunk.fileName, (c) => [...c.imports, ...c.dynamicImports]);
        out[chunk.name] = { initial, lazy: all.filter((name) => !initial.includes(name)) };
      }
      this.emitFile({ type: 'asset', fileName: 'manifest.json', source: JSON.stringify(out, null, 2) });
    },
  };
}

const build = (name, input, dir) => ({
  input: { [name]: input },
  output: {
    dir,
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
  plugins: [
    // Lit's html`` and css`` templates carry indentation and comments; minifying them is safe (bindings kept).
    minifyTemplateLiterals(),
    nodeResolve({ browser: true, exportConditions: ['production'] }),
    terser({ format: { comments: false } }), manifest(), workerFiles({ 'recorder-tick.js': `${dist}/recorder/recorder-tick.js` }), precompress()],
  onwarn(warning, warn) {
    // zod's comments and internal cycles are known and harmless; anything else is worth reading.
    if (['THIS_IS_UNDEFINED', 'INVALID_ANNOTATION'].includes(warning.code)) return;
    if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
    warn(warning);
  },
});

export default Object.entries(entries).map(([name, input]) =>
  build(name, input, name === 'tiepdan' ? `${dist}/bundle` : `${dist}/bundle/elements/${name}`),
);
