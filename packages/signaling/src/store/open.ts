/**
 * Opens the store the configuration names, migrated and ready. The one place that knows the engines: the rest of
 * the server sees the Store interface and its capabilities (store/capabilities.ts).
 */
import type { Config } from '../config/schema.js';
import { SqliteStore } from './sqlite.js';
import type { EngineStore } from './store.js';

export async function openStore(config: Config): Promise<EngineStore> {
  return new SqliteStore(config.dataDir, { provisionalShare: config.schedule.provisionalShare, provisionalPerPhone: config.schedule.provisionalPerPhone });
}
