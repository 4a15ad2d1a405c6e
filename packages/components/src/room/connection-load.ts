/** Loads room/connection.ts on demand (see there); `loaded` is set once it has come, for synchronous checks. */
type Connection = typeof import('./connection.js');

let loading: Promise<Connection> | undefined;
export let loaded: Connection | undefined;

export function loadConnection(): Promise<Connection> {
  loading ??= import('./connection.js').then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
