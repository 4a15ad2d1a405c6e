/**
 * The start-up check of the persistence seam: every capability the server runs must be built by the chosen store.
 * A missing one stops the server before it listens, with a message naming each missing capability and why it
 * matters, rather than a server that silently runs without its sign-in, rooms or legally required recording.
 */
import type { EngineStore, Store } from './store.js';

/** Every capability, with what the server loses without it (the message an operator reads). */
export const CAPABILITIES = {
  registrations: 'registrations (intake, lookup, screening)',
  schedule: 'schedule and bookings (sessions, capacity, notices)',
  cases: "the desk's cases and the reception register",
  accounts: "officials' sign-in (accounts, sessions, sign-in audit log)",
  rooms: 'rooms and their audit chain (lobby, admissions, chat)',
  recordings: 'recording (required by law for every reception session)',
  accessLog: "the recordings' access log",
  fences: "fences on the jobs and locks shared by several nodes (a node that lost its lease must not overwrite another's finished recording)",
} as const;

export type Capability = keyof typeof CAPABILITIES;

export class MissingCapabilityError extends Error {
  constructor(
    readonly kind: string,
    readonly missing: Capability[],
  ) {
    super(
      `The "${kind}" store does not provide ${missing.map((c) => CAPABILITIES[c]).join('; ')}. tiepdan does not start without ` +
        `${missing.length === 1 ? 'it' : 'them'}: choose a store that provides every capability (docs/deploy.md, "Stores").`,
    );
    this.name = 'MissingCapabilityError';
  }
}

/** Which capabilities `store` lacks (none for a complete store). */
export function missingCapabilities(store: EngineStore): Capability[] {
  const present: Record<Capability, boolean> = {
    registrations: typeof store.insertRegistration === 'function' && typeof store.transition === 'function',
    schedule: store.schedule !== undefined,
    cases: store.cases !== undefined,
    accounts: store.accounts !== undefined,
    rooms: typeof store.openRooms === 'function',
    recordings: store.recordings !== undefined,
    accessLog: store.accessLog !== undefined,
    fences: store.fences !== undefined,
  };
  return (Object.keys(present) as Capability[]).filter((c) => !present[c]);
}

/** The store with every capability, or a MissingCapabilityError naming each one it lacks. */
export function requireCapabilities(store: EngineStore): Store {
  const missing = missingCapabilities(store);
  if (missing.length > 0) throw new MissingCapabilityError(store.kind, missing);
  return store as Store;
}
