/**
 * The rooms' side of the recording (SPEC §6): a session that must be recorded opens only with a recorder ready
 * (holding the lease, or waiting for the session), opening the room creates and starts its recording and elects
 * a waiting recorder, no citizen is admitted while a mandatory recording is not active, the head's `room.end`
 * ends it, and the coordinator's events reach the room as room events (the state to everyone, recorder
 * internals and alarms to officials only).
 *
 * The room sees the coordinator only through `RoomRecording`, so room tests can run without one.
 */
import type { RecordingState, RoomRecording as RoomRecordingView } from '@tiepdan/core';
import type { RecordingEvent } from '../recording/events.js';
import type { RecordingHandle } from '../recording/plugin.js';

/** What a room needs of the recording coordinator. */
export interface RoomRecording {
  /**
   * May the session open now? False when it must be recorded and no recorder is ready: its recording is
   * mandatory and nobody holds the lease, or it has no recording yet, is a scheduled session (recording is
   * mandatory by default) and no recorder waits for it. A recorder waiting for the session is always ready.
   */
  canOpen(sessionId: string): Promise<boolean>;
  /**
   * The room opened: the session's recording is created if it has none and a recorder waits for it (or it must
   * be recorded), the waiting recorders are registered (the first is elected), and it starts. Throws when a
   * mandatory recording cannot start (no recorder).
   */
  start(sessionId: string, opener: { by: string; unit?: string | undefined }): Promise<void>;
  /** May a citizen be admitted now? Not while a mandatory recording has no recorder recording it. */
  admissible(sessionId: string): Promise<boolean>;
  /** The head ended the room: the recording (if any) ends, drains and is finalized. */
  end(sessionId: string, by: string): Promise<void>;
  /** The recording as the room shows it (state; alarm for officials); undefined without one. */
  view(sessionId: string): Promise<RoomRecordingView | undefined>;
  /** The coordinator's events for all sessions; returns the unsubscribe. */
  subscribe(listener: (event: RecordingEvent) => void): () => void;
}

export interface RecordingBindingOptions {
  /** The recording capability, looked up lazily (it is registered in another plugin scope). */
  handle: () => RecordingHandle | undefined;
  /** The scheduled (official) reception session's unit; undefined for an ad-hoc room. */
  sessionUnit: (sessionId: string) => Promise<string | undefined>;
}

export function roomRecording({ handle, sessionUnit }: RecordingBindingOptions): RoomRecording {
  /** A scheduled session, or a practice room (settings `practiceRooms`), when recording is mandatory by default. */
  const mustRecord = async (h: RecordingHandle, sessionId: string) =>
    h.settings.mandatoryByDefault && (h.settings.practiceRooms.includes(sessionId) || (await sessionUnit(sessionId)) !== undefined);
  return {
    async canOpen(sessionId) {
      const h = handle();
      if (!h) return true;
      if (await h.coordinator.forSession(sessionId)) return h.coordinator.canStart(sessionId);
      if ((await h.coordinator.waiting(sessionId)).length > 0) return true;
      return !(await mustRecord(h, sessionId));
    },
    async start(sessionId, opener) {
      const h = handle();
      if (!h) return;
      let rec = await h.coordinator.forSession(sessionId);
      const waiting = await h.coordinator.waiting(sessionId);
      if (!rec) {
        const unit = await sessionUnit(sessionId);
        // Another ad-hoc room is recorded when a recorder waits for it.
        if (!waiting.length && !(await mustRecord(h, sessionId))) return;
        const owner = unit ?? (opener.unit && opener.unit !== '*' ? opener.unit : waiting[0]?.unit);
        if (!owner) return;
        rec = (await h.coordinator.open({ sessionId, unit: owner, by: opener.by })).recording;
      }
      await h.coordinator.adoptWaiting(rec.id);
      // Read again, by id: adopting may have elected a holder. A recording gone meanwhile is a 404 (mustGet), which
      // the room's open refuses as recorder_required, as it does any failed start.
      rec = await h.coordinator.mustGet(rec.id);
      if (rec.state === 'armed') await h.coordinator.start(rec.id);
    },
    async admissible(sessionId) {
      const h = handle();
      const rec = await h?.coordinator.forSession(sessionId);
      if (!h || !rec || rec.policy !== 'mandatory') return true;
      const checked = await h.coordinator.checkLease(rec);
      return checked.state === 'recording' && Boolean(checked.holder);
    },
    async end(sessionId, by) {
      const h = handle();
      const rec = await h?.coordinator.forSession(sessionId);
      if (h && rec) await h.coordinator.end(rec.id, by);
    },
    async view(sessionId) {
      const h = handle();
      const rec = await h?.coordinator.forSession(sessionId);
      if (!h || !rec) return undefined;
      const status = await h.coordinator.status(rec.id);
      const out: RoomRecordingView = { state: status.state as RecordingState };
      if (status.alarm) out.alarm = { code: status.alarm.code, since: status.alarm.since };
      else if (status.lastError && status.state !== 'finalized') out.alarm = { code: 'failed', since: status.endedAt ?? status.createdAt };
      return out;
    },
    subscribe(listener) {
      const h = handle();
      return h ? h.events.subscribeAll(listener) : () => undefined;
    },
  };
}
