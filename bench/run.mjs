#!/usr/bin/env node
// `npm run bench`: bundle sizes against their budgets, draft autosave/restore in Chromium, registration intake
// against the durable-write limit (a minimal fastify route + group-commit insert) alternated over ≥ 3 rounds,
// booking throughput, the schedule's render time, and recording ingest (N recorders ramped until the ack p99
// passes 500 ms or the machine saturates), and a reception in Chromium (room open → recording active, admit → first
// remote frame, the headless recorder's CPU per participant: bench/reception.mjs). Every server runs in its own child process, apart from the load
// generator, with its CPU read from /proc. The machine's load average is printed with the figures: on a shared
// machine only same-run ratios mean anything. Exits non-zero when a budget is exceeded or a section fails.
// Signaling has its own: `npm run bench:signaling`. BENCH_SECONDS / BENCH_ROUNDS / BENCH_STEP_SECONDS shorten it.
import { benchSizes, loaderSizes } from './sizes.mjs';
import { benchDrafts } from './drafts.mjs';

let failed = false;
console.log('## Bundle sizes (gzip -9)');
for (const row of benchSizes()) {
  if (row.missing) console.log(`${row.name}: MISSING (run npm run build)`);
  else console.log(`${row.name}: initial ${row.initialGzip} B gzip (budget ${row.budget} B: ${row.ok ? 'ok' : 'OVER BUDGET'}), with lazy chunks ${row.totalGzip} B`);
  if (!row.ok) failed = true;
}

console.log('\n## Through the loader (/sdk/tiepdan.js + the element\'s chunk and its static imports, gzip -9)');
for (const row of loaderSizes()) console.log(row.missing ? `${row.name}: MISSING` : `${row.name}: ${row.gzip} B gzip in ${row.files} files`);

console.log('\n## Draft autosave and restore (Chromium, IndexedDB)');
console.log(JSON.stringify(await benchDrafts()));

console.log('\n## Registration intake vs the durable-write limit (autocannon in its own process, 50 connections, alternated rounds, medians)');
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
await section('Recording ingest, closed loop, against write+fsync of the same files (alternated rounds, medians)', async () => (await import('./recording.mjs')).benchRecordingClosedLoop());
await section('A reception in Chromium on loopback: room open → recording active, admit → first remote frame at the citizen (10 admissions), headless recorder CPU per participant composited', async () => (await import('./reception.mjs')).benchReception());

process.exit(failed ? 1 : 0);
