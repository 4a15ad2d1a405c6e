/**
 * @tiepdan/server: the whole tiepdan server, as a library (the `tiepdan-server` bin is `cli.ts`). Registrations
 * (intake, lookup, screening), the schedule and its notices, officials' sign-in, the desk and the register, the
 * video rooms (WebSocket signaling) and recording, over SQLite or PostgreSQL storage.
 */
export { createServer, API_PREFIX, type TiepdanServer, type ServerOptions } from './http/server.js';
export { loadConfig, type LoadConfigOptions } from './config/load.js';
export { ConfigError } from './config/errors.js';
export { ConfigSchema, type Config, type ConfigInput, type UnitConfig } from './config/schema.js';
export { DEMO_UNIT, DEMO_PRIVACY_NOTICE, DEMO_ALLOWED_ORIGINS } from './config/demo.js';
export { SqliteStore, DATABASE_FILE } from './store/sqlite.js';
export { MIGRATIONS, migrate } from './store/migrations.js';
export type { Store, RegistrationRow, SummaryRow, NewRegistration, HistoryRow, ListFilters, TransitionChange } from './store/store.js';
export { mintToken, verifyToken, officialVerifier, parseTtl, DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, TOKEN_AUDIENCE, TOKEN_ISSUER, type OfficialVerifier } from './auth/tokens.js';
export { AuthService, type SessionView, type AccessToken } from './auth/service.js';
export { createAccount, type CreatedAccount } from './auth/bootstrap.js';
export type { AccountStore, AuditRow, AuditEntry as SignInAuditEntry } from './auth/account-store.js';
export { createGuard, type RequirePermission } from './auth/guard.js';
export { ApiError } from './http/api-error.js';
export { rooms, roomsOf, type RoomsOptions, type RoomsHandle } from './rooms/plugin.js';
export { mintJoinToken, JwtJoinTokenVerifier, CITIZEN_TOKEN_AUDIENCE, type JoinTokenVerifier, type JoinClaims } from './rooms/join-tokens.js';
export { InProcessRoomBus, type RoomBus, type Delivery, type CommandReply } from './rooms/bus.js';
export type { RoomCommand, VerifiedIdentity } from './rooms/commands.js';
export { canonicalJson, GENESIS_HASH, type AuditChain, type AuditEntry, type VerifyResult } from './rooms/audit.js';
export { SqliteAuditLog } from './store/audit-sqlite.js';
export { turnCredentials, jitsiAccess, jitsiRoomName } from './rooms/media.js';
export { recording, recordingOf, type RecordingOptions, type RecordingHandle } from './recording/plugin.js';
export { RecordingEvents, type RecordingEvent, type RecordingListener } from './recording/events.js';
export type { RecordingCoordinator, RecordingStatus, TimelineEntry } from './recording/coordinator/coordinator.js';
export type { RecordingStorage } from './recording/storage/storage.js';
export { verifyRecording, formatReport, type VerifyReport } from './recording/verify/verify.js';
export { deriveKeys, type DataKeys } from './privacy/keys.js';
export { keyedHash } from './privacy/seal.js';
