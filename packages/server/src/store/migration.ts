/**
 * What a numbered schema migration is. Its own module so each capability's `migration.ts` can declare its SQL
 * without importing the list that imports it (store/migrations.ts): no import cycle, not even for types (issue 14).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
