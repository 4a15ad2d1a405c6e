/**
 * Opens the store the configuration names (`store.kind`), migrated and ready. The one place that knows the
 * engines: the rest of the server sees the Store interface and its capabilities (store/capabilities.ts).
 */
import type { Config } from '../config/schema.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { EngineStore } from './store.js';

export async function openStore(config: Config): Promise<EngineStore> {
  const provisional = { provisionalShare: config.schedule.provisionalShare, provisionalPerPhone: config.schedule.provisionalPerPhone };
  switch (config.store.kind) {
    case 'postgres':
      return PostgresStore.open(config.store.url, { ...provisional, poolSize: config.store.poolSize });
    case 'sqlite':
      return new SqliteStore(config.dataDir, provisional);
  }
}
