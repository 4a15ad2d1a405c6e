/**
 * Renders docs/openapi.json from a server built on a throwaway data folder: the document depends on the routes
 * only, not on a deployment's units or origins. Used by `npm run docs:openapi` and by the test that fails when
 * the committed file is stale.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createServer } from './server.js';
import { renderOpenApi } from './openapi.js';

export async function renderOpenApiDoc(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-openapi-'));
  try {
    const config = loadConfig({
      env: {},
      warn: () => {},
      values: {
        mode: 'development',
        port: 0,
        dataDir,
        logLevel: 'silent',
        authSecret: randomBytes(24).toString('base64url'),
        dataKey: randomBytes(32).toString('base64'),
        units: [{ code: 'demo.unit', name: 'UBND phường', provinceCode: '82' }],
        schedule: { noticeDispatch: 'off' },
      },
    });
    const server = await createServer(config);
    try {
      await server.app.ready();
      return renderOpenApi(server.app);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
