#!/usr/bin/env node
// The reception register's exports with 10,000 cases (issue 10 benchmark): the real server in its own child
// process (SQLite, cases sealed/unsealed per line, the redaction per role, the audit chain at intake), the cases
// opened through the desk API beforehand; then, alternated over BENCH_ROUNDS rounds, GET /register (the same
// lines as JSON: the store query, unsealing, registerEntry and serialisation, the minimal baseline every export
// pays) and the .xlsx, .docx and CSV exports of the same lines. For each: wall time (median), the server's CPU
// (from /proc) and its peak RSS during that one request (VmHWM, reset through /proc/<pid>/clear_refs before it),
// and the ratio to the JSON baseline measured in the same run. BENCH_CASES shortens it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../packages/server/dist/index.js';
import { machineLoad, median, round, spawnServer } from './proc.mjs';

const CASES = Number(process.env.BENCH_CASES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const UNIT = 'dongthap.sadec';
const KINDS = ['khieu_nai', 'kien_nghi', 'phan_anh'];

/** Peak resident memory of a process since the last reset, in MB (NaN without /proc). */
function peakMb(pid) {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export async function benchRegisterExport() {
  const server = await spawnServer(fileURLToPath(new URL('./intake-server.mjs', import.meta.url)), ['tiepdan']);
  try {
    const api = `${server.url}/api/v1`;
    const bearer = await mintToken(server.authSecret, { sub: 'bench', role: 'clerk', unit: UNIT, name: 'Cán bộ bench' });
    const headers = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
    const seedStart = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < CASES) {
        const i = next++;
        const res = await fetch(`${api}/desk/cases`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            kind: KINDS[i % KINDS.length],
            citizen: { fullName: `Nguyễn Văn Thử ${i}`, address: `Số ${i}, khóm 3, phường Sa Đéc`, idType: 'cccd', idNumber: String(87185000000 + i).padStart(12, '0') },
            summary: `Công dân số ${i} kiến nghị sửa cống thoát nước, đèn chiếu sáng và mặt đường trước chợ Sa Đéc; đề nghị UBND phường xem xét, trả lời bằng văn bản.`,
          }),
        });
        if (res.status !== 201) throw new Error(`seed ${i}: ${res.status} ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const kinds = { json: '/register', xlsx: '/register/export?format=xlsx', docx: '/register/export?format=docx', csv: '/register/export?format=csv' };
    const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, { ms: [], cpuMs: [], peakMb: [], bytes: 0 }]));
    let peakReset = true;
    for (let r = 0; r < ROUNDS; r += 1) {
      // Alternated: each round runs every kind once, the baseline among them, so a load spike hits all alike.
      for (const [kind, path] of Object.entries(kinds)) {
        peakReset = resetPeak(server.pid) && peakReset;
        const cpu0 = server.cpuMs();
        const t0 = performance.now();
        const res = await fetch(`${api}${path}`, { headers: { authorization: headers.authorization } });
        const body = Buffer.from(await res.arrayBuffer());
        const ms = performance.now() - t0;
        // Above desk.docxMaxLines (1,000) the .docx is refused before it is built: the figure is that refusal's.
        const refused = kind === 'docx' && CASES > 1000 && res.status === 422;
        if (res.status !== 200 && !refused) throw new Error(`${kind}: ${res.status} ${body.toString('utf8').slice(0, 200)}`);
        if (kind === 'json' && JSON.parse(body.toString('utf8')).entries.length !== CASES) throw new Error('json: not every line came back');
        const s = samples[kind];
        s.ms.push(ms);
        s.cpuMs.push(server.cpuMs() - cpu0);
        s.peakMb.push(peakMb(server.pid));
        s.bytes = body.length;
      }
    }
    const base = median(samples.json.ms);
    const out = { cases: CASES, rounds: ROUNDS, seedSeconds: round(seedSeconds, 1), peakRssIsPerRequest: peakReset, ...machineLoad() };
    for (const [kind, s] of Object.entries(samples)) {
      out[kind] = { medianMs: round(median(s.ms), 0), serverCpuMs: round(median(s.cpuMs), 0), peakRssMb: round(Math.max(...s.peakMb), 0), bytes: s.bytes, ratioToJson: round(median(s.ms) / base, 2) };
    }
    return out;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchRegisterExport(), null, 2));
