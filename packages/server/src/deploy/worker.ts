/**
 * The server as a worker of the supervisor (supervisor.ts): it listens at once (the supervisor's socket, shared
 * through node:cluster), takes over the rooms, recording leases and notices only when told, and drains when
 * told, saying `released` once its database is closed.
 */
import type { Config } from '../config/schema.js';
import { createServer } from '../http/server.js';

export type ToWorker = { tiepdan: 'takeover' } | { tiepdan: 'drain' };
export type ToSupervisor = { tiepdan: 'listening'; url: string } | { tiepdan: 'released' };

/** A drain that takes longer than this has hung: the worker exits anyway, so the next one can take over. */
const DRAIN_DEADLINE_MS = 15_000;

const tell = (message: ToSupervisor) => new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));

export async function runWorker(config: Config): Promise<void> {
  let takeOver!: () => void;
  const takeover = new Promise<void>((resolve) => (takeOver = resolve));
  const server = await createServer(config, { takeover });
  const generation = process.env.TIEPDAN_WORKER_GENERATION;
  let draining: Promise<void> | undefined;
  const drain = () =>
    (draining ??= (async () => {
      server.app.log.info({ generation }, 'draining');
      setTimeout(() => {
        server.app.log.error({ generation, deadlineMs: DRAIN_DEADLINE_MS }, 'drain did not finish in time; exiting');
        process.exit(1);
      }, DRAIN_DEADLINE_MS).unref();
      // No new connection comes here from now on: the supervisor sends them to the next worker.
      server.app.server.close();
      try {
        await server.close();
      } catch (error) {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      }
      await tell({ tiepdan: 'released' });
      process.exit();
    })());
  process.on('message', (message: ToWorker) => {
    if (message?.tiepdan === 'takeover') {
      server.app.log.info({ generation }, 'took over');
      takeOver();
    } else if (message?.tiepdan === 'drain') void drain();
  });
  // A terminal's Ctrl-C or systemd's stop reaches every process of the group: drain as if told. A hang-up is the
  // supervisor's (restart), never the worker's.
  process.on('SIGTERM', () => void drain());
  process.on('SIGINT', () => void drain());
  process.on('SIGHUP', () => undefined);
  const url = await server.start();
  server.app.log.info({ url, mode: config.mode, dataDir: config.dataDir, units: config.units.map((u) => u.code), generation }, 'tiepdan server listening');
  await tell({ tiepdan: 'listening', url });
}
