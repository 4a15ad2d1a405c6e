#!/usr/bin/env node
// `npm run bench`: bundle sizes against their budgets, draft autosave/restore in Chromium, registration intake
// and booking throughput (intake against a bare fastify baseline in the same run), and the schedule's render
// time, and recording ingest (largest N of recorders with acks under 500 ms p99). Exits non-zero when a budget is exceeded or a section fails. Signaling has its own: `npm run bench:signaling`.
import { benchSizes } from './sizes.mjs';
import { benchDrafts } from './drafts.mjs';

let failed = false;
console.log('## Bundle sizes (gzip -9)');
for (const row of benchSizes()) {
  if (row.missing) console.log(`${row.name}: MISSING (run npm run build)`);
  else console.log(`${row.name}: initial ${row.initialGzip} B gzip (budget ${row.budget} B: ${row.ok ? 'ok' : 'OVER BUDGET'}), with lazy chunks ${row.totalGzip} B`);
  if (!row.ok) failed = true;
}

console.log('\n## Draft autosave and restore (Chromium, IndexedDB)');
console.log(JSON.stringify(await benchDrafts()));

console.log('\n## Registration intake (autocannon, 50 connections, 10 s each)');
try {
  const { benchIntake } = await import('./intake.mjs');
  console.log(JSON.stringify(await benchIntake()));
} catch (error) {
  failed = true;
  console.log(`intake bench failed: ${error.message}`);
}

async function section(title, load) {
  console.log(`\n## ${title}`);
  try {
    console.log(JSON.stringify(await load()));
  } catch (error) {
    failed = true;
    console.log(`failed: ${error.message}`);
  }
}

await section('Booking (autocannon, 100 connections, 10 s)', async () => (await import('./booking.mjs')).benchBooking());
await section('Schedule month with 300 sessions (Chromium, median render)', async () => (await import('./schedule-render.mjs')).benchScheduleRender());
await section('A cheap phone: registration steps at 6× CPU throttle, 360×740 (interaction to next paint, budget 200 ms)', async () => {
  const result = await (await import('./cheap-phone.mjs')).benchCheapPhone();
  if (!result.ok) failed = true;
  return result;
});
await section('Recording ingest (N recorders at 2 Mbit/s, durable acks)', async () => (await import('./recording.mjs')).benchRecording());

process.exit(failed ? 1 : 0);
