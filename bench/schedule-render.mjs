// Render time of <tiepdan-schedule> in real Chromium: a month holding 300 sessions (about ten a working day, some
// cancelled or postponed), rendered from scratch as the month grid and as the list, median and p95 of 15 renders
// each after 2 warm-ups, unthrottled and with the CPU slowed 4×. The element is bundled with rollup from tsc's output (Lit's production build), and the
// page is served on 127.0.0.1.
import { createServer } from 'node:http';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const RENDERS = 15;
const WARMUP = 2;

const PAGE = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<div id="host" style="width:1000px"></div>
<script type="module">
import '/schedule.js';
const states = ['open', 'open', 'open', 'closed', 'cancelled', 'postponed', 'planned'];
const sessions = [];
for (let i = 0; i < 300; i++) {
  const day = 1 + (i % 30);
  const hour = 1 + (i % 9); // 08:00 to 16:00 in Hanoi, stored in UTC
  const startsAt = new Date(Date.UTC(2026, 11, day, hour, 0)).toISOString();
  sessions.push({
    id: 's' + i, kind: i % 5 ? 'periodic' : 'unscheduled', host: { role: 'chair', name: 'Chủ tịch UBND phường ' + (i % 7) },
    level: 'commune', unit: 'dongthap.sadec', venue: 'Trụ sở Tiếp công dân, số 12 Hùng Vương', connectionPoints: ['sadec'],
    startsAt, endsAt: new Date(Date.parse(startsAt) + 3600e3).toISOString(), capacity: 10, remoteAllowed: i % 2 === 0,
    state: states[i % states.length], placesLeft: i % 11, sequence: 0, updatedAt: startsAt,
    ...(i % 7 === 4 ? { notice: { vi: 'Chủ tịch đi công tác.', en: 'The chair is away.' } } : {}),
  });
}
async function renderOnce(view) {
  const host = document.getElementById('host');
  host.textContent = '';
  const start = performance.now();
  const el = document.createElement('tiepdan-schedule');
  el.setAttribute('view', view);
  el.setAttribute('month', '2026-12');
  el.setAttribute('poll', '0');
  el.sessions = sessions;
  host.append(el);
  await el.updateComplete;
  el.getBoundingClientRect(); // include style and layout
  const ms = performance.now() - start;
  const count = view === 'month' ? el.shadowRoot.querySelectorAll('[role="gridcell"][data-date]').length : el.shadowRoot.querySelectorAll('li[part="session"]').length;
  return { ms, count };
}
window.bench = async (view, runs, warmup) => {
  const times = [];
  let count = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const r = await renderOnce(view);
    if (i >= warmup) times.push(r.ms);
    count = r.count;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  }
  return { times, count };
};
window.ready = true;
</script>`;

async function bundleSchedule() {
  const build = await rollup({
    input: 'packages/components/dist/schedule/schedule.js',
    plugins: [nodeResolve({ browser: true, exportConditions: ['production'] })],
    onwarn: () => {},
  });
  const { output } = await build.generate({ format: 'es', inlineDynamicImports: true });
  await build.close();
  return output[0].code;
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export async function benchScheduleRender() {
  const code = await bundleSchedule();
  const server = createServer((req, res) => {
    if (req.url.startsWith('/schedule.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
    const result = { sessions: 300, renders: RENDERS };
    const cdp = await page.context().newCDPSession(page);
    // Unthrottled, then with the CPU slowed 4× (DevTools' "low-end mobile"), closer to the citizens' phones.
    for (const [suffix, rate] of [['', 1], ['Cpu4x', 4]]) {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      for (const view of ['month', 'list']) {
        const { times, count } = await page.evaluate(([v, runs, warmup]) => window.bench(v, runs, warmup), [view, RENDERS, WARMUP]);
        if (view === 'month' && count !== 31) throw new Error(`month grid rendered ${count} days, expected 31`);
        if (view === 'list' && count !== 300) throw new Error(`list rendered ${count} sessions, expected 300`);
        result[`${view}MedianMs${suffix}`] = +quantile(times, 0.5).toFixed(2);
        result[`${view}P95Ms${suffix}`] = +quantile(times, 0.95).toFixed(2);
      }
    }
    return result;
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchScheduleRender()));
