/**
 * The room lease's fence (issue 13): two rooms' hosts, each on its own Redis bus (a real redis-server) and its own
 * connection to one real database (SQLite in WAL, and PostgreSQL), as two nodes of a province are. Node A runs a
 * room; its lease lapses while A does not notice (a node paused past its lease: the key is gone, A's next renewal
 * has not come yet); node B takes the room over with a higher epoch and loads it. A, still believing it holds the
 * room, takes one more command: its commit is refused by the store, nothing of it is written, A unloads the room,
 * answers the command as not done (`room_moved`, with `rejoin`: the transport rejoins the socket on B and sends it
 * again there), tells the room's sockets it moved, and A's next command for the room goes to B.
 * Without the fence A's late chat line would be in the record, beside B's, from a room B never saw it in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrate } from '../src/index.js';
import type { CommandReply, Delivery } from '../src/rooms/bus.js';
import { leaseKey, RedisRoomBus } from '../src/rooms/bus-redis.js';
import type { RoomCommand } from '../src/rooms/commands.js';
import { RoomHost } from '../src/rooms/host.js';
import type { RoomStore } from '../src/rooms/room-store.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteRoomStore } from '../src/store/room-sqlite.js';
import { removeDir, tempDir, UNIT } from './helpers.js';
import { postgresUnavailable, startPostgres, type PgServer } from './pg-server.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { HOST_SETTINGS, until } from './rooms-helpers.js';

const settings = HOST_SETTINGS;
/** Long enough that A's renewal (every third of it) does not come during the test: A goes on believing it holds the room. */
const LEASE_MS = 60_000;

/** Two nodes' room stores on one database, and a reader of what it holds. */
interface SharedDatabase {
  stores: [RoomStore, RoomStore];
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let pgServer: PgServer | undefined;

const ENGINES: { name: string; unavailable?: string | undefined; open(): Promise<SharedDatabase> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir('tiepdan-fence-');
      const file = join(dir, 'tiepdan.sqlite');
      const connect = () => {
        const db = new Database(file);
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        return db;
      };
      const dbs = [connect(), connect()] as const;
      migrate(dbs[0]);
      return {
        stores: [new SqliteRoomStore(dbs[0], settings.eventLogSize), new SqliteRoomStore(dbs[1], settings.eventLogSize)],
        async rows(sql) {
          return dbs[0].prepare<[], Record<string, unknown>>(sql).all();
        },
        async close() {
          for (const db of dbs) db.close();
          removeDir(dir);
        },
      };
    },
  },
  {
    name: 'postgres',
    unavailable: postgresUnavailable,
    async open() {
      pgServer ??= await startPostgres();
      const url = await pgServer.createDatabase();
      const engines = [await PostgresStore.open(url), await PostgresStore.open(url)] as const;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return {
        stores: [engines[0].openRooms({ eventLogSize: settings.eventLogSize }), engines[1].openRooms({ eventLogSize: settings.eventLogSize })],
        async rows(sql) {
          return (await client.query<Record<string, unknown>>(sql)).rows;
        },
        async close() {
          await client.end();
          await Promise.all(engines.map((e) => e.close()));
        },
      };
    },
  },
];

const official = (sub: string, role: 'chair' | 'clerk') => ({ kind: 'official' as const, sub, role, unit: UNIT });
const hello = (connectionId: string, sub: string, role: 'chair' | 'clerk'): RoomCommand => ({ kind: 'hello', connectionId, identity: official(sub, role) });
const chat = (connectionId: string, participantId: string, text: string): RoomCommand => ({ kind: 'request', connectionId, participantId, message: { v: 1, id: randomUUID(), type: 'chat.send', text } });
const participantOf = (reply: CommandReply) => (assert.ok(reply.ok, JSON.stringify(reply)), (reply.result as { participantId: string }).participantId);

describe('the room lease fence: a node that lost the room writes nothing more of it', { skip: redisUnavailable }, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
    await pgServer?.stop();
  });

  for (const engine of ENGINES) {
    test(`on ${engine.name}`, { skip: engine.unavailable }, async () => {
      const db = await engine.open();
      const buses = [new RedisRoomBus({ url: redis.url, leaseMs: LEASE_MS, nodeId: 'node-a' }), new RedisRoomBus({ url: redis.url, leaseMs: LEASE_MS, nodeId: 'node-b' })] as const;
      const hosts = [new RoomHost(settings, buses[0], db.stores[0]), new RoomHost(settings, buses[1], db.stores[1])] as const;
      const [busA, busB] = buses;
      const [hostA, hostB] = hosts;
      const sessionId = `fence-${randomUUID()}`;
      try {
        await Promise.all(buses.map((b) => b.ready));
        await Promise.all(hosts.map((h) => h.start()));

        // Node A takes the room (its first hello) and writes a chat line.
        const chairId = participantOf(await busA.request(sessionId, hello('c-chair-a', 'chair.fence', 'chair')));
        const epochA = busA.leaseEpoch(sessionId);
        assert.ok(epochA !== undefined && epochA > 0, `A serves the room under an epoch (${epochA})`);
        assert.ok((await busA.request(sessionId, chat('c-chair-a', chairId, 'A trước khi mất quyền'))).ok);

        // What reaches A's sockets of the room (B's takeover tells them first, then A's refusal).
        const toChairA: Delivery[] = [];
        busA.subscribe(sessionId, (d) => void (d.kind !== 'event' && 'connections' in d && d.connections?.includes('c-chair-a') && toChairA.push(d)));

        // A's lease lapses without A noticing; a clerk's hello reaches B, which takes the room with a higher epoch.
        await redis.client().del(leaseKey(sessionId));
        const clerkId = participantOf(await busB.request(sessionId, hello('c-clerk-b', 'clerk.fence', 'clerk')));
        const epochB = busB.leaseEpoch(sessionId);
        assert.ok(epochB !== undefined && epochB > epochA, `B's epoch ${epochB} is above A's ${epochA}`);
        assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');

        // B told the sockets it knew of (the chair's, on A) that the room moved.
        await until(() => toChairA.length > 0, 10_000, "B's takeover notice for the chair's socket");
        toChairA.length = 0;

        // A still believes it holds the room: the chair's next line is handled there, and its commit refused.
        const late = await busA.request(sessionId, chat('c-chair-a', chairId, 'A sau khi mất quyền'));
        assert.ok(!late.ok, 'the refused line is not acknowledged');
        assert.equal(late.error.error.code, 'room_moved');
        assert.equal(late.rejoin, true, 'the socket rejoins where the room runs and the line is sent again there');
        assert.equal(hostA.room(sessionId), undefined, 'A unloaded the room');
        assert.ok(toChairA.some((d) => d.kind === 'moved'), 'A tells the sockets it had in the room that it moved');
        assert.equal(busA.leaseEpoch(sessionId), undefined, 'A no longer counts the lease as its own');
        assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b', 'B keeps the lease');

        // A's next command for the room goes to B, which runs it.
        assert.ok((await busA.request(sessionId, chat('c-clerk-b', clerkId, 'B tiếp tục'))).ok);
        assert.ok(hostB.room(sessionId), 'B runs the room');

        // Nothing of A's after B took the room is stored; the fence holds B's epoch; no number was used twice.
        const texts = (await db.stores[1].chat(sessionId)).map((c) => c.text);
        assert.deepEqual(texts, ['A trước khi mất quyền', 'B tiếp tục']);
        const [row] = await db.rows(`SELECT lease_epoch FROM rooms WHERE session_id = '${sessionId}'`);
        assert.equal(Number(row?.lease_epoch), epochB);
        const seqs = (await db.rows(`SELECT seq FROM room_events WHERE session_id = '${sessionId}' ORDER BY seq`)).map((r) => Number(r.seq));
        assert.equal(new Set(seqs).size, seqs.length, `no sequence number twice (${seqs.join(',')})`);
      } finally {
        for (const host of hosts) await host.close().catch(() => undefined);
        await Promise.all(buses.map((b) => b.close()));
        await db.close();
      }
    });
  }
});
