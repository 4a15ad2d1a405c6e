/**
 * What several nodes share (issue 13): registrations' attachment files and the recording signing key live where
 * the chosen store keeps them (Store.attachments, Store.keyVault), so on PostgreSQL two server instances with their
 * own data folders serve each other's attachments, sign with one key and check each other's officials' tokens; on
 * SQLite they stay in the data folder as before. The postgres part runs on a real PostgreSQL (pg-server.ts) and is
 * reported skipped, with the reason, where its binaries are absent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/index.js';
import { deriveKeys } from '../src/privacy/keys.js';
import { SigningKeys } from '../src/recording/signing/keys.js';
import { AttachmentFiles } from '../src/registrations/files.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { EngineStore } from '../src/store/store.js';
import { attachmentMeta, filesUnder, getJson, PDF, PNG, PROVISIONAL_OFF, removeDir, startServer, submitMultipart, tempDir, testConfig, uuidv7, validRegistration, type TestServer } from './helpers.js';
import { postgresUnavailable, startPostgres, type PgServer } from './pg-server.js';
import { Browser, codeFor, makeAccount } from './sign-in-helpers.js';

const DATA_KEY = randomBytes(32).toString('base64');
const SECRET = 'cluster-secret-cluster-secret-cluster-01';

/**
 * One node's store: PostgreSQL for everything it provides; what it does not provide yet (the desk's cases) from the
 * node's own SQLite, since the server refuses to start without it. Nothing this suite checks goes through that.
 */
function nodeStore(pg: PostgresStore, dataDir: string): EngineStore {
  const full: EngineStore = pg;
  if (full.cases !== undefined && typeof full.openRooms === 'function') return pg;
  const local = new SqliteStore(dataDir, PROVISIONAL_OFF);
  return Object.create(pg, {
    cases: { value: full.cases ?? local.cases },
    openRooms: { value: typeof full.openRooms === 'function' ? full.openRooms.bind(pg) : (options: Parameters<SqliteStore['openRooms']>[0]) => local.openRooms(options) },
    close: { value: async () => void (await Promise.all([pg.close(), local.close()])) },
  }) as EngineStore;
}

describe('postgres: shared state between two server instances', { skip: postgresUnavailable }, () => {
  let pgServer: PgServer;
  let url: string;
  const nodes: TestServer[] = [];
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    pgServer = await startPostgres();
    url = await pgServer.createDatabase();
    // Started together: each asks the key vault for the current signing key before it serves.
    const started = await Promise.all(
      [0, 1].map(async () => {
        const config = testConfig({ store: { kind: 'postgres', url }, authSecret: SECRET, dataKey: DATA_KEY });
        return startServer({}, config, { store: nodeStore(await PostgresStore.open(url, PROVISIONAL_OFF), config.dataDir) });
      }),
    );
    nodes.push(...started);
    [a, b] = started as [TestServer, TestServer];
  });
  after(async () => {
    for (const node of nodes) {
      await node.close();
      removeDir(node.dataDir);
    }
    await pgServer?.stop();
  });

  test('an attachment received by one node is served by the other, and neither keeps it in its data folder', async () => {
    const submitted = await submitMultipart(a.api, validRegistration({ attachments: [attachmentMeta('scan', PDF, 'application/pdf')] }), [{ field: 'scan', bytes: PDF }]);
    assert.equal(submitted.status, 201, await submitted.clone().text());
    const { reference } = (await submitted.json()) as { reference: string };

    const account = await makeAccount(a, 'can.bo.cum', [{ role: 'clerk', unit: a.config.units[0]!.code }]);
    const browser = new Browser(b);
    assert.equal((await browser.signIn('can.bo.cum', account.password, await codeFor(account.secret!))).status, 200, 'an account created through node 1 signs in on node 2');
    const bearer = await browser.token();
    const file = await getJson(`${a.api}/registrations/${reference}/attachments/scan`, bearer);
    assert.equal(file.status, 200, 'node 1 takes the token node 2 issued');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), PDF);
    const fromB = await getJson(`${b.api}/registrations/${reference}/attachments/scan`, bearer);
    assert.equal(fromB.status, 200, 'node 2 serves the file node 1 received');
    assert.deepEqual(Buffer.from(await fromB.arrayBuffer()), PDF);
    for (const node of [a, b]) assert.deepEqual(filesUnder(join(node.dataDir, 'attachments')), [], 'no node-local copy');

    // Signed out on node 2: node 1 refuses the token too (the session is in the shared database).
    assert.equal((await browser.call('POST', '/auth/sign-out', undefined, { 'x-csrf-token': browser.csrf! })).status, 200);
    assert.equal((await getJson(`${a.api}/registrations/${reference}/attachments/scan`, bearer)).status, 401);
  });

  test('one submission sent to both nodes at once: one registration, and its file stays readable', async () => {
    const key = uuidv7();
    const registration = validRegistration({ attachments: [attachmentMeta('p', PNG, 'image/png')] });
    const answers = await Promise.all([a, b].map((node) => submitMultipart(node.api, registration, [{ field: 'p', bytes: PNG }], key)));
    assert.deepEqual(answers.map((r) => r.status), [201, 201]);
    const references = await Promise.all(answers.map(async (r) => ((await r.json()) as { reference: string }).reference));
    assert.equal(references[0], references[1]);
    const account = await makeAccount(b, 'can.bo.dua', [{ role: 'clerk', unit: b.config.units[0]!.code }]);
    const browser = new Browser(a);
    assert.equal((await browser.signIn('can.bo.dua', account.password, await codeFor(account.secret!))).status, 200);
    const file = await getJson(`${b.api}/registrations/${references[0]}/attachments/p`, await browser.token());
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), PNG);
  });

  test('both nodes publish one recording signing key, kept in the database, not in a data folder', async () => {
    const [historyA, historyB] = await Promise.all([a, b].map(async (node) => (await (await fetch(`${node.api}/recordings/keys`)).json()) as { keys: { keyId: string; validUntil: string | null }[] }));
    assert.equal(historyA!.keys.length, 1, 'nodes starting together created one key');
    assert.deepEqual(historyA!.keys, historyB!.keys);
    for (const node of [a, b]) assert.deepEqual(filesUnder(join(node.dataDir, 'keys')), []);

    // A rotation through one node's vault is what every node signs with next.
    const store = await PostgresStore.open(url);
    try {
      const vault = store.keyVault(deriveKeys(Buffer.from(DATA_KEY, 'base64')).vault);
      const { current } = await new SigningKeys(vault).rotate();
      const after = (await (await fetch(`${b.api}/recordings/keys`)).json()) as { keys: { keyId: string; validUntil: string | null }[] };
      assert.deepEqual(after.keys.map((k) => k.keyId), [historyA!.keys[0]!.keyId, current.keyId]);
      assert.equal(after.keys.at(-1)!.validUntil, null);
      const raw = await store.pool.query<{ value: Buffer }>("SELECT value FROM server_keys WHERE name = 'recording-signing-key'");
      assert.equal(raw.rows[0]!.value.includes(Buffer.from('PRIVATE KEY')), false, 'the private key is stored sealed');
      // Sealed under the data key: another data key cannot open it.
      const stranger = new SigningKeys(store.keyVault(randomBytes(32)));
      await assert.rejects(stranger.current());
    } finally {
      await store.close();
    }
  });
});

describe('sqlite: attachments and the signing key stay in the data folder', () => {
  test('the file and the key are where they were', async () => {
    const dir = tempDir();
    const store = new SqliteStore(dir, PROVISIONAL_OFF);
    try {
      const key = deriveKeys(Buffer.from(DATA_KEY, 'base64'));
      const files = new AttachmentFiles(dir, key.files, store.attachments);
      await files.init();
      const received = await files.receive(Readable.from([PNG]), 1 << 20);
      assert.equal(await files.commit(received), true);
      assert.deepEqual(filesUnder(join(dir, 'attachments')), [`${received.sha256.slice(0, 2)}/${received.sha256}`]);
      const chunks: Buffer[] = [];
      for await (const chunk of await files.read(received.sha256)) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), PNG);
      const signing = await new SigningKeys(store.keyVault(key.vault)).current();
      assert.deepEqual(filesUnder(join(dir, 'keys')).sort(), ['recording-ed25519.pem', 'recording-keys.json']);
      assert.match(signing.keyId, /^[0-9a-f]{64}$/u);
    } finally {
      await store.close();
      removeDir(dir);
    }
  });
});

describe('config: several nodes need the same secrets', () => {
  test('store "postgres" without authSecret or dataKey is refused, naming both; nothing is generated', () => {
    const dataDir = tempDir();
    try {
      assert.throws(
        () => loadConfig({ env: {}, warn: () => {}, values: { mode: 'development', dataDir, store: { kind: 'postgres', url: 'postgres://127.0.0.1:1/none' } } }),
        (error: unknown) => error instanceof ConfigError && /authSecret: required with store "postgres"/u.test(error.message) && /dataKey: required with store "postgres"/u.test(error.message),
      );
      assert.deepEqual(filesUnder(dataDir), [], 'no secrets.json of this node alone');
    } finally {
      removeDir(dataDir);
    }
  });
});
