// The example ward page through Lighthouse 12 (issue 15's last row): mobile preset (simulated slow 4G, 4× CPU
// slowdown, 412 px Moto G Power), performance and accessibility scores, CLS, LCP, TBT and what the audits that
// did not pass say. Debian's Chromium (no browser downloads here), started by chrome-launcher; the demo server and
// ward site (SQLite, a temporary data folder) in this process, Lighthouse driving the browser over CDP.
// Three runs, the median of each figure: Lighthouse's own advice for a score that varies from run to run.
// A benchmark, not a test: figures depend on the machine; run it on an idle one (`npm run bench:lighthouse`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startDemo } from '../examples/demo.mjs';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const RUNS = Number(process.env.TIEPDAN_LIGHTHOUSE_RUNS ?? 3);
/** The issue's goals. */
const GOALS = { performance: 95, accessibility: 100, cls: 0.05 };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function benchLighthouse() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-lighthouse-'));
  const demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {} });
  const chrome = await chromeLauncher.launch({ chromePath: chromiumPath(), chromeFlags: ['--headless=new', ...chromiumArgs()] });
  const runs = [];
  const failing = new Map();
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const result = await lighthouse(demo.siteUrl, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'], locale: 'en' });
      const { categories, audits } = result.lhr;
      runs.push({
        performance: Math.round(categories.performance.score * 100),
        accessibility: Math.round(categories.accessibility.score * 100),
        cls: audits['cumulative-layout-shift'].numericValue,
        lcp: audits['largest-contentful-paint'].numericValue,
        fcp: audits['first-contentful-paint'].numericValue,
        tbt: audits['total-blocking-time'].numericValue,
      });
      // Audits that count towards a score and did not pass, with what they say (the same ones in every run, usually).
      for (const category of Object.values(categories)) {
        for (const ref of category.auditRefs) {
          const audit = audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) failing.set(ref.id, `${category.id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
        }
      }
    }
  } finally {
    await chrome.kill();
    await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const figures = Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(runs.map((r) => r[key]))]));
  return { runs, figures, failing: [...failing.values()], goals: GOALS };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runs, figures, failing, goals } = await benchLighthouse();
  console.log(`Lighthouse 12, mobile preset, the example ward page, ${runs.length} runs (median):`);
  console.log(`  performance ${figures.performance} (goal ≥ ${goals.performance}), accessibility ${figures.accessibility} (goal ${goals.accessibility})`);
  console.log(`  CLS ${figures.cls.toFixed(3)} (goal ≤ ${goals.cls}), LCP ${Math.round(figures.lcp)} ms, FCP ${Math.round(figures.fcp)} ms, TBT ${Math.round(figures.tbt)} ms`);
  console.log(`  per run: ${runs.map((r) => `${r.performance}/${r.accessibility}`).join(', ')}`);
  if (failing.length > 0) console.log(`  audits below 0.9:\n    ${failing.join('\n    ')}`);
}
