// Browser tests (@web/test-runner) in Debian's Chromium with real IndexedDB, fake camera and microphone.
// Tests are TypeScript, compiled on the fly by esbuild with each package's tsconfig (Lit decorators).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { countsReporter } from './scripts/wtr-counts-reporter.mjs';
import { defaultReporter } from '@web/test-runner';

export default {
  files: ['packages/*/test/browser/**/*.test.ts', 'packages/components/src/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'packages/components/tsconfig.json' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: chromiumPath(), args: chromiumArgs() },
    }),
  ],
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
  reporters: [defaultReporter(), countsReporter()],
};
