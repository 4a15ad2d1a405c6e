/**
 * What the rooms need from storage (room state, the event log tail, chat, the audit chain), built by the chosen
 * store (store/room-sqlite.ts, store/room-postgres.ts; their shared group commit is store/room-queue.ts). Reads
 * are async (a database may be a round trip away). Writes are queued, synchronously, during one turn of the event
 * loop, with an explicit commit point: `afterCommit` / `durable` hold the rooms' deliveries and replies until the
 * store has committed what they announce, however long the commit takes. A read after `flush` sees what it
 * committed. A store that cannot offer that does not provide rooms, and the server refuses to start with it
 * (store/capabilities.ts).
 */
import type { AuditChain } from './audit.js';
import type { RoomData } from './room-data.js';

export interface StoredEvent {
  seq: number;
  at: string;
  recipients: string[];
  frame: string;
  /**
   * A chat line's author, by their own name (the frame may show a denouncer redacted): the event is then also
   * the session's chat record, kept when the event tail is trimmed. A chat line is stored once (issue 15).
   */
  author?: string | undefined;
}

export interface ChatRow {
  sessionId: string;
  seq: number;
  messageId: string;
  participantId: string;
  name: string;
  text: string;
  at: string;
}

export interface RoomStoreOptions {
  /** Events kept per room for resuming clients (config rooms.eventLogSize). */
  eventLogSize: number;
  /** A commit that failed (it is retried; meanwhile nothing leaves). */
  onError?: (error: unknown) => void;
}

export interface RoomStore {
  /** The hash-chained audit log of lobby decisions and role actions. */
  readonly audit: AuditChain;
  load(sessionId: string): Promise<{ data: RoomData; events: StoredEvent[] } | undefined>;
  /** Rooms that were open (or waiting) when the server stopped. */
  activeSessions(): Promise<string[]>;
  /** The session's chat lines (the events that have an `author`), in order. */
  chat(sessionId: string): Promise<ChatRow[]>;
  /**
   * `presence` (here and in appendEvent): the write is about a connection coming or going (a resume, a drop). It
   * is written, and what waits for it is let out, like any other, but it does not call for a commit of its own:
   * it rides with the next one (someone's chat, a lobby decision) or at the latest with the one the store makes
   * a few ms later (PRESENCE_MS), so a reconnect storm shares a few commits instead of one fsync per client.
   */
  markDirty(sessionId: string, snapshot: () => RoomData, options?: { presence?: boolean }): void;
  appendEvent(sessionId: string, event: StoredEvent, options?: { presence?: boolean }): void;
  /** A room handed out `seq` (persisted event or not): its delivery must wait for a reservation that covers it. */
  sequenced(sessionId: string, seq: number): void;
  /** Runs `fn` right after the commit that holds everything queued before it (at once when nothing is queued). */
  afterCommit(fn: () => void): void;
  /** Resolves once everything queued so far is durable (and its deliveries have left). */
  durable(): Promise<void>;
  /**
   * Commits everything queued now. Rejects when the commit failed (the queue stays and is retried; nothing that
   * waits for it leaves meanwhile).
   */
  flush(): Promise<void>;
  /** The last flush, and every one after it, write each room's exact number; the database itself is closed by its store. */
  close(): Promise<void>;
  /**
   * Several nodes (issue 13): this process serves the room under the lease epoch `epoch` from now on. Its writes for
   * the room commit only while no higher epoch has written it; otherwise that room's part of a batch is written not
   * at all and the room is reported to `onRefused`. A room given no epoch is not fenced.
   */
  leaseEpoch(sessionId: string, epoch: number): void;
  /** Called after each commit that refused rooms (a later lease holder had written them), with those rooms. */
  onRefused(listener: (sessionIds: string[]) => void): void;
}
