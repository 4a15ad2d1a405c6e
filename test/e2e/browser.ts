/**
 * Shared set-up for end-to-end tests: the demo (tiepdan server + ward site on two loopback origins, SQLite in a
 * temporary folder) and Debian's headless Chromium driven by playwright-core. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export interface Demo {
  apiUrl: string;
  siteUrl: string;
  officialsUrl: string;
  token: string;
  close(): Promise<void>;
}

export async function startE2e(): Promise<{ demo: Demo; browser: Browser; dataDir: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-'));
  const demo: Demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {} });
  const browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  return {
    demo,
    browser,
    dataDir,
    async stop() {
      await browser.close();
      await demo.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Officials' API call with the demo clerk's token, to see what the server really stored. */
export async function official<T>(demo: Demo, path: string): Promise<T> {
  const response = await fetch(`${demo.apiUrl}${path}`, { headers: { Authorization: `Bearer ${demo.token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// The smallest valid PNG (1×1), as a citizen's photo would arrive after downscaling.
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
