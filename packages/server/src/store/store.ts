/**
 * What the server needs from storage, capability by capability, and nothing more. The chosen store builds each
 * capability's interface; the server asks for all of them at start (store/capabilities.ts) and refuses to start,
 * naming what is missing, when the store lacks one, instead of running without it (a server without its
 * recording would run sessions that the law requires recorded). Registrations, the schedule and cases are async;
 * rooms queue their writes synchronously and read asynchronously, with an explicit commit point (rooms/room-store.ts).
 */
import type { AnswerOutcome, MatterKind, Registration, RegistrationState, StoredAttachment, SubmitBooking } from '@tiepdan/core';
import type { AccountStore } from '../auth/account-store.js';
import type { AccessLog, RecordingRepo } from '../recording/repo.js';
import type { KeyVault } from '../recording/signing/keys.js';
import type { AttachmentBlobs } from '../registrations/files.js';
import type { RoomStore, RoomStoreOptions } from '../rooms/room-store.js';
import type { CaseStore } from './case-store.js';
import type { FenceStore } from './fences.js';
import type { ScheduleStore } from './schedule-store.js';

export interface HistoryRow {
  state: RegistrationState;
  /** ISO 8601, UTC. */
  at: string;
  /** The official (token `sub`) who made the change; absent for the citizen's submission. */
  by?: string | undefined;
  reason?: string | undefined;
  outcome?: AnswerOutcome | undefined;
  /** Shown to the citizen by the lookup. */
  publicNote?: string | undefined;
}

export interface NewRegistration {
  /** The draft's client id, sent as Idempotency-Key. */
  clientId: string;
  /** Keyed hash of the normalised registration and its files: tells a replay from a conflicting reuse of a key. */
  contentHash: string;
  unit: string;
  kind: MatterKind;
  /** Keyed hash of the E.164 phone, for the citizen's lookup. */
  phoneHash: string;
  /** What the screening queue shows; redacted for denunciations. */
  displayName: string;
  summary: string;
  groupSize: number;
  /** Stored in clear: the redacted copy for denunciations. */
  registration: Registration;
  /** Sealed denouncer data (privacy/seal.ts), for denunciations only. */
  sealed?: Buffer | undefined;
  receivedAt: string;
  attachments: StoredAttachment[];
  /** Book this session in the same transaction as the insert, when it is open and has room. */
  preferredSessionId?: string | undefined;
}

export interface RegistrationRow extends Omit<NewRegistration, 'sealed'> {
  reference: string;
  state: RegistrationState;
  updatedAt: string;
  sealed?: Buffer | undefined;
  history: HistoryRow[];
  /** What happened to `preferredSessionId` at submission. */
  booking?: SubmitBooking | undefined;
}

export interface SummaryRow {
  /** Opaque position in the queue, for the `before` cursor. */
  cursor: string;
  reference: string;
  clientId: string;
  unit: string;
  kind: MatterKind;
  state: RegistrationState;
  receivedAt: string;
  updatedAt: string;
  displayName: string;
  summary: string;
  groupSize: number;
  attachmentCount: number;
  sealed?: Buffer | undefined;
}

export interface ListFilters {
  /** Undefined means every unit (a token with unit "*"). */
  unit?: string | undefined;
  kind?: MatterKind | undefined;
  state?: RegistrationState | undefined;
}

export interface TransitionChange {
  reference: string;
  /** The state the caller saw: the change happens only if it is still the current one. */
  from: RegistrationState;
  entry: HistoryRow;
}

export interface Store {
  /** The engine, as configured (`store.kind`): named in messages. */
  readonly kind: string;
  /** Migrations applied when this store opened (for the CLI's `migrate`). */
  readonly appliedMigrations: number[];
  /**
   * Stores a registration, its attachments and the first history row in one transaction. When the client id
   * is already stored, stores nothing and returns the existing row with `created: false`.
   */
  insertRegistration(input: NewRegistration): Promise<{ row: RegistrationRow; created: boolean }>;
  findByClientId(clientId: string): Promise<RegistrationRow | undefined>;
  findByReference(reference: string): Promise<RegistrationRow | undefined>;
  /** Newest first; `before` is a cursor from an earlier page. */
  listRegistrations(filters: ListFilters, before: string | undefined, limit: number): Promise<{ rows: SummaryRow[]; nextBefore?: string }>;
  /** Compare-and-set on the state plus a history row, atomically. False when the state was no longer `from`. */
  transition(change: TransitionChange): Promise<boolean>;
  /** The registrations' attachment files (sealed), where every node of the deployment reads them. */
  readonly attachments: AttachmentBlobs;
  /** The recording signing key and its history, shared by every node; `sealKey` seals the private key where it is stored in the database. */
  keyVault(sealKey: Buffer): KeyVault;
  /** Sessions, series, bookings and the notice outbox (store/schedule-store.ts). */
  readonly schedule: ScheduleStore;
  /** Reception cases and the register's numbering (store/case-store.ts). */
  readonly cases: CaseStore;
  /** Officials' accounts, role assignments, sign-in sessions and the sign-in audit log. */
  readonly accounts: AccountStore;
  /** Opens the rooms' persistence (state, event log, chat) with the audit chain; called once per server. */
  openRooms(options: RoomStoreOptions): RoomStore;
  /** Recordings, leases, recorders, segments, the timeline and citizens' copies. */
  readonly recordings: RecordingRepo;
  /** Who read, played, downloaded or was refused a recording; append-only in the database. */
  readonly accessLog: AccessLog;
  /** The highest epoch seen per job lease or lock, refusing a stale holder's writes (store/fences.ts). */
  readonly fences: FenceStore;
  close(): Promise<void>;
}

/** The capabilities an engine may lack; the server's start-up check (store/capabilities.ts) names the missing ones. */
export type OptionalCapability = 'cases' | 'accounts' | 'openRooms' | 'recordings' | 'accessLog' | 'fences';

/** A store as an engine opens it: registrations and the schedule, plus whichever other capabilities it provides. */
export type EngineStore = Omit<Store, OptionalCapability> & Partial<Pick<Store, OptionalCapability>>;
