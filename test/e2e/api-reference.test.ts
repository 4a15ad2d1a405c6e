/**
 * The API's reference page for integrators (issue 14): Swagger UI at /api/v1/reference/, served by the server
 * itself, under the server's own Content-Security-Policy. Opened in Chromium as a province's portal team would:
 * it renders the operations of the very document at /api/v1/openapi.json, an operation opens with its reply
 * schema, and the browser reports no CSP violation and no script error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startE2e } from './browser.js';

let env: Awaited<ReturnType<typeof startE2e>>;
before(async () => {
  env = await startE2e();
});
after(async () => {
  await env?.stop();
});

test("the reference page lists the document's operations and opens one, under the strict CSP", async () => {
  const page = await env.browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${env.demo.apiUrl}/api/v1/reference/`);
  assert.equal(response?.status(), 200);
  assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'(;|$)/u, 'the page runs without inline scripts');
  const doc = (await (await fetch(`${env.demo.apiUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
  // Every path of the document is on the page (Swagger UI renders one block per operation).
  await page.locator('.opblock').first().waitFor();
  const shown = new Set(await page.locator('.opblock-summary-path').evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))));
  assert.deepEqual(Object.keys(doc.paths).filter((path) => !shown.has(path)), [], 'paths missing from the page');
  // The lookup opens with its request body and its refusal for a bad body.
  const lookup = page.locator('.opblock-post', { has: page.locator('[data-path="/api/v1/lookup"]') });
  await lookup.locator('.opblock-summary-control').click();
  await lookup.locator('.opblock-body .body-param__example, .opblock-body .model-example').first().waitFor();
  assert.match(await lookup.locator('.opblock-body').innerText(), /"reference"/u, 'the request body example names its fields');
  await lookup.locator('.responses-table .response-col_status', { hasText: '422' }).first().waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
