// Draft autosave and restore in real Chromium with real IndexedDB: how long a write of a realistic draft takes
// (p50/p95 over many saves, with a 600 kB photo already stored beside it), and how long a reloaded page needs to
// read the draft back. Core is bundled with rollup for the page; the page is served on 127.0.0.1.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { openLocalDatabase, Drafts } from '/core.js';
const params = new URLSearchParams(location.search);
const t0 = performance.now();
const { db } = await openLocalDatabase('bench');
const drafts = new Drafts(db, 'form', { debounceMs: 0 });
const restored = await drafts.load();
const files = await drafts.files();
window.restoreMs = performance.now() - t0;
window.restoredOk = Boolean(restored) && files.length === 1;
if (params.get('mode') === 'save') {
  await drafts.addFile('photo', new Blob([new Uint8Array(600_000)], { type: 'image/jpeg' }), 'anh.jpg');
  const draft = (i) => ({ unit: 'dongthap.sadec', kind: 'khieu_nai', identity: { fullName: 'Nguyễn Văn An ' + i },
    address: { provinceCode: '82', communeCode: '30010', detail: 'Số 12, khóm 3' }, contact: { phone: '0912345678' },
    content: { summary: 'Khiếu nại quyết định thu hồi đất. '.repeat(60) + i } });
  const times = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    drafts.update(draft(i), 'content');
    await drafts.flush();
    times.push(performance.now() - start);
  }
  window.saveTimes = times;
}
window.done = true;
</script>`;

async function bundleCore() {
  const build = await rollup({ input: 'packages/core/dist/index.js', plugins: [nodeResolve({ browser: true })], onwarn: () => {} });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  return output[0].code;
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export async function benchDrafts() {
  const core = await bundleCore();
  const server = createServer((req, res) => {
    if (req.url.startsWith('/core.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(core);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}?mode=save`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 60_000 });
    const times = await page.evaluate(() => window.saveTimes);
    const restores = [];
    for (let i = 0; i < 10; i++) {
      await page.goto(`${url}?mode=restore`);
      await page.waitForFunction(() => window.done === true, null, { timeout: 30_000 });
      const { ms, ok } = await page.evaluate(() => ({ ms: window.restoreMs, ok: window.restoredOk }));
      if (!ok) throw new Error('draft was not restored after reload');
      restores.push(ms);
    }
    return {
      saves: times.length,
      saveP50ms: +quantile(times, 0.5).toFixed(2),
      saveP95ms: +quantile(times, 0.95).toFixed(2),
      restoreMedianMs: +quantile(restores, 0.5).toFixed(2),
    };
  } finally {
    await browser.close();
    server.close();
  }
}
