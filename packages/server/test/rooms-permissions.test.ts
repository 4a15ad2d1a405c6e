/**
 * Every role × every room action, allowed and refused, checked against core's ROOM_PERMISSIONS table: each case
 * gets its own room where the role is the only thing that can make the action fail, so a refusal can only be
 * the permission check and an acceptance can only be the table saying yes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOM_ROLES, canInRoom, type OfficialRole, type RoomPermission, type RoomRole } from '@tiepdan/core';
import { removeDir, type TestServer } from './helpers.js';
import { joinCitizen, joinOfficial, newSessionId, startRoomsServer, TestClient, officialToken, citizenToken, type Frame } from './rooms-helpers.js';

interface Scene {
  sessionId: string;
  chair: TestClient;
  actor: TestClient;
  lobbyCitizen: TestClient;
  admitted: TestClient;
  observer: TestClient;
  clients: TestClient[];
}

/** A room with a chair, an observer, a citizen admitted (a denouncer), one waiting, and the actor in `role`. */
async function scene(t: TestServer, role: RoomRole, open = true): Promise<Scene> {
  const sessionId = newSessionId('perm');
  const chair = await joinOfficial(t, sessionId, 'chair');
  const observer = await joinOfficial(t, sessionId, 'observer');
  if (open) await chair.ok('room.open');
  const admitted = await joinCitizen(t, sessionId, `ADM-${sessionId}`, { name: 'Trần Văn Bình', matterKind: 'to_cao' });
  const lobbyCitizen = await joinCitizen(t, sessionId, `LOB-${sessionId}`);
  if (open) await chair.ok('lobby.admit', { participantId: admitted.participantId });
  let actor: TestClient;
  if (role === 'citizen') {
    actor = await joinCitizen(t, sessionId, `ACT-${sessionId}`);
    if (open) await chair.ok('lobby.admit', { participantId: actor.participantId });
  } else actor = await joinOfficial(t, sessionId, role);
  return { sessionId, chair, actor, lobbyCitizen, admitted, observer, clients: [chair, observer, admitted, lobbyCitizen, actor] };
}

type Action = { name: string; permission: RoomPermission; open?: boolean; run: (s: Scene) => Promise<boolean> };

const accepted = (frame: Frame) => {
  if (frame.type === 'error') assert.equal(frame.error.code, 'forbidden', `refused for another reason: ${frame.error.code}`);
  return frame.type === 'result';
};

const ACTIONS: Action[] = [
  { name: 'open the room', permission: 'room.open', open: false, run: async (s) => accepted(await s.actor.request('room.open')) },
  { name: 'end the session', permission: 'room.end', run: async (s) => accepted(await s.actor.request('room.end')) },
  { name: 'admit from the lobby', permission: 'lobby.manage', run: async (s) => accepted(await s.actor.request('lobby.admit', { participantId: s.lobbyCitizen.participantId })) },
  { name: 'deny with a reason', permission: 'lobby.manage', run: async (s) => accepted(await s.actor.request('lobby.deny', { participantId: s.lobbyCitizen.participantId, reason: 'Không mang giấy tờ tùy thân' })) },
  { name: 'return to the lobby', permission: 'lobby.manage', run: async (s) => accepted(await s.actor.request('lobby.return', { participantId: s.admitted.participantId })) },
  { name: 'set the current case', permission: 'case.set', run: async (s) => accepted(await s.actor.request('case.set', { caseId: 'case-1' })) },
  { name: 'give the floor', permission: 'floor.give', run: async (s) => accepted(await s.actor.request('floor.give', { participantId: s.admitted.participantId })) },
  { name: 'mute someone else', permission: 'participant.mute', run: async (s) => accepted(await s.actor.request('mute.request', { participantId: s.admitted.participantId, media: 'audio' })) },
  { name: 'share a screen', permission: 'screen.share', run: async (s) => accepted(await s.actor.request('screen.share', { active: true })) },
  { name: 'raise a hand', permission: 'hand.raise', run: async (s) => accepted(await s.actor.request('hand.raise', { raised: true })) },
  { name: 'write in the chat', permission: 'chat.send', run: async (s) => accepted(await s.actor.request('chat.send', { text: 'Xin chào' })) },
  { name: "read a denouncer's identity", permission: 'denouncer.read', run: async (s) => accepted(await s.actor.request('identity.read', { participantId: s.admitted.participantId })) },
  {
    name: "see a denouncer's name in the roster",
    permission: 'denouncer.read',
    run: async (s) => {
      const roster = (await s.actor.ok('roster.get')) as { participants: { participantId: string; name: string; redacted?: boolean }[] };
      const denouncer = roster.participants.find((p) => p.participantId === s.admitted.participantId);
      assert.ok(denouncer, 'the admitted citizen is in everyone\'s roster');
      assert.equal(denouncer.redacted === true, denouncer.name !== 'Trần Văn Bình');
      return denouncer.name === 'Trần Văn Bình';
    },
  },
  {
    name: 'see observers',
    permission: 'observers.see',
    run: async (s) => {
      const roster = (await s.actor.ok('roster.get')) as { participants: { participantId: string }[] };
      return roster.participants.some((p) => p.participantId === s.observer.participantId);
    },
  },
  {
    name: 'declare a connection point',
    permission: 'point.register',
    run: async (s) => {
      const role = (await s.actor.ok('roster.get')).participants.find((p: any) => p.participantId === s.actor.participantId).role as RoomRole;
      const auth = role === 'citizen' ? { kind: 'citizen', token: await citizenToken(server, s.sessionId, `PT-${s.sessionId}`) } : { kind: 'official', token: await officialToken(server, role as OfficialRole) };
      const client = await TestClient.open(`${(s.chair.ws as any).url}`);
      const reply = await client.hello({ sessionId: s.sessionId, auth, point: { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc', unit: 'dongthap.sadec', operator: 'Lê Văn C' } });
      s.clients.push(client);
      return accepted(reply);
    },
  },
];

let server: TestServer;

describe('rooms: every role × every action', () => {
  before(async () => {
    server = await startRoomsServer();
  });
  after(async () => {
    await server.close();
    removeDir(server.dataDir);
  });

  test('the table covers every permission the server knows', () => {
    const covered = new Set(ACTIONS.map((a) => a.permission));
    for (const permission of ['room.open', 'room.end', 'lobby.manage', 'case.set', 'floor.give', 'participant.mute', 'screen.share', 'hand.raise', 'chat.send', 'observers.see', 'denouncer.read', 'point.register'] as RoomPermission[]) {
      assert.ok(covered.has(permission), permission);
    }
  });

  test('an administrator enters no room (the role manages accounts, it opens no case)', async () => {
    const client = await TestClient.open(server);
    try {
      const reply = await client.hello({ sessionId: newSessionId(), auth: { kind: 'official', token: await officialToken(server, 'admin') } });
      assert.equal(reply.type, 'error');
      assert.equal((reply.error as { code: string }).code, 'forbidden');
    } finally {
      client.terminate();
    }
  });

  for (const role of ROOM_ROLES.filter((r) => r !== 'admin')) {
    test(`${role}: each action allowed exactly when the table says so`, async () => {
      const outcomes: string[] = [];
      for (const action of ACTIONS) {
        const s = await scene(server, role, action.open ?? true);
        try {
          const allowed = await action.run(s);
          const expected = canInRoom(role, action.permission);
          outcomes.push(`${action.name}: ${allowed ? 'allowed' : 'refused'}`);
          assert.equal(allowed, expected, `${role} / ${action.name}: expected ${expected ? 'allowed' : 'refused'}`);
        } finally {
          for (const c of s.clients) c.terminate();
        }
      }
      assert.equal(outcomes.length, ACTIONS.length);
    });
  }

  test('citizens see observers when the policy does not hide them', async () => {
    const open = await startRoomsServer({ rooms: { hideObserversFromCitizens: false } });
    try {
      const sessionId = newSessionId('policy');
      const chair = await joinOfficial(open, sessionId, 'chair');
      const observer = await joinOfficial(open, sessionId, 'observer');
      await chair.ok('room.open');
      const citizen = await joinCitizen(open, sessionId, 'POL-1');
      await chair.ok('lobby.admit', { participantId: citizen.participantId });
      const roster = await citizen.ok('roster.get');
      assert.ok(roster.participants.some((p: any) => p.participantId === observer.participantId));
      for (const c of [chair, observer, citizen]) c.terminate();
    } finally {
      await open.close();
      removeDir(open.dataDir);
    }
  });
});
