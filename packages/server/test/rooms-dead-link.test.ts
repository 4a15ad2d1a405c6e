/**
 * A link cut silently, for real: the client runs in its own network namespace, joined to this one by a veth
 * pair, and the test takes the link down (no FIN, no RST: packets just stop, as when a phone leaves coverage).
 * With the default heartbeat settings both sides must notice within 10 s — the server marks the participant
 * disconnected, the client starts reconnecting — and when the link comes back within the resume window the
 * client resumes in place (same participant id). Needs root (`ip netns`), as `.ci/run` has.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { SIGNALING_LIMITS } from '@tiepdan/core';
import { removeDir, type TestServer } from './helpers.js';
import { joinOfficial, newSessionId, officialToken, startRoomsServer, until, type TestClient } from './rooms-helpers.js';

const DETECT_WITHIN_MS = 10_000;
const tag = process.pid % 10_000;
const NS = `tiepdan-dl-${tag}`;
const HOST_IF = `tdh${tag}`;
const NS_IF = `tdc${tag}`;
const subnet = `10.231.${process.pid % 250}`;
const HOST_IP = `${subnet}.1`;
const NS_IP = `${subnet}.2`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

let t: TestServer;
let child: ChildProcess | undefined;
const clients: TestClient[] = [];

describe('rooms: a silently dead link', () => {
  before(async () => {
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${HOST_IP}/24`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/24`, 'dev', NS_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    // The shipped heartbeat (not the tests' fast one): the 10 s promise is about the defaults.
    t = await startRoomsServer({ host: '0.0.0.0', rooms: { heartbeatIntervalMs: SIGNALING_LIMITS.heartbeatIntervalMs, resumeWindowMs: 60_000, authTimeoutMs: 5000 } });
  });

  after(async () => {
    for (const c of clients) c.terminate();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
    if (t) removeDir(t.dataDir);
    try {
      ip('link', 'del', HOST_IF);
    } catch {
      // already gone with the namespace
    }
    ip('netns', 'del', NS);
  });

  test('both sides see it dead within 10 s; back within the window, the client resumes in place', async () => {
    const sessionId = newSessionId('deadlink');
    const chair = await joinOfficial(t, sessionId, 'chair');
    clients.push(chair);
    const port = new URL(t.url).port;
    const token = await officialToken(t, 'operator', 'operator.cut');
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', resolve(import.meta.dirname, 'dead-link-client.ts'), `ws://${HOST_IP}:${port}/ws`, sessionId, token], {
      cwd: resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const states: { state: string; at: number; participantId?: string; resumed?: boolean }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => states.push(JSON.parse(line)));
    await until(() => states.some((s) => s.state === 'connected'), 30_000, 'the namespaced client connected');
    const participantId = states.find((s) => s.state === 'connected')!.participantId!;
    await chair.event('participant.joined', (e) => e.participant.participantId === participantId, 10_000);

    const cutAt = Date.now();
    ip('link', 'set', HOST_IF, 'down');
    const seenByServer = await chair.event('participant.updated', (e) => e.participant.participantId === participantId && !e.participant.connected, 20_000).then(() => Date.now());
    await until(() => states.some((s) => s.state === 'reconnecting'), 20_000, 'the client noticed');
    const seenByClient = states.find((s) => s.state === 'reconnecting')!.at;
    assert.ok(seenByServer - cutAt <= DETECT_WITHIN_MS, `server noticed after ${seenByServer - cutAt} ms`);
    assert.ok(seenByClient - cutAt <= DETECT_WITHIN_MS, `client noticed after ${seenByClient - cutAt} ms`);
    assert.ok(seenByClient > cutAt, 'the client noticed after the cut, not before');

    ip('link', 'set', HOST_IF, 'up');
    await until(() => states.some((s) => s.state === 'resumed'), 30_000, 'the client resumed');
    const back = states.find((s) => s.state === 'resumed')!;
    assert.equal(back.participantId, participantId);
    assert.equal(back.resumed, true);
    await chair.event('participant.updated', (e) => e.participant.participantId === participantId && e.participant.connected, 10_000);
    process.stdout.write(`# dead link: server noticed after ${seenByServer - cutAt} ms, client after ${seenByClient - cutAt} ms, resumed ${back.at - cutAt} ms after the cut\n`);
  });
});
