/**
 * The rooms' side of the recording (SPEC §6): a session that must be recorded opens only with an active
 * recorder, opening the room starts its recording, the head's `room.end` ends it, and the coordinator's events
 * reach the room as room events (the state to everyone, recorder internals and alarms to officials only).
 *
 * The room sees the coordinator only through `RoomRecording`, so room tests can run without one.
 */
import type { RecordingState, RoomRecording as RoomRecordingView } from '@tiepdan/core';
import type { RecordingEvent } from '../recording/events.js';
import type { RecordingHandle } from '../recording/plugin.js';

/** What a room needs of the recording coordinator. */
export interface RoomRecording {
  /**
   * May the session open now? False when it must be recorded and no recorder holds the lease: its recording
   * is mandatory, or it is a scheduled session with no recording opened yet and recording is mandatory by default.
   */
  canOpen(sessionId: string): Promise<boolean>;
  /** The room opened: the recording (if any) starts. */
  start(sessionId: string): void;
  /** The head ended the room: the recording (if any) ends, drains and is finalized. */
  end(sessionId: string, by: string): void;
  /** The recording as the room shows it (state; alarm for officials); undefined without one. */
  view(sessionId: string): RoomRecordingView | undefined;
  /** The coordinator's events for all sessions; returns the unsubscribe. */
  subscribe(listener: (event: RecordingEvent) => void): () => void;
}

export interface RecordingBindingOptions {
  /** The recording capability, looked up lazily (it is registered in another plugin scope). */
  handle: () => RecordingHandle | undefined;
  /** Whether the session is a scheduled (official) reception session. */
  isScheduled: (sessionId: string) => Promise<boolean>;
}

export function roomRecording({ handle, isScheduled }: RecordingBindingOptions): RoomRecording {
  return {
    async canOpen(sessionId) {
      const h = handle();
      if (!h) return true;
      if (h.coordinator.forSession(sessionId)) return h.coordinator.canStart(sessionId);
      return !(h.settings.mandatoryByDefault && (await isScheduled(sessionId)));
    },
    start(sessionId) {
      const h = handle();
      const rec = h?.coordinator.forSession(sessionId);
      if (h && rec?.state === 'armed') h.coordinator.start(rec.id);
    },
    end(sessionId, by) {
      const h = handle();
      const rec = h?.coordinator.forSession(sessionId);
      if (h && rec) h.coordinator.end(rec.id, by);
    },
    view(sessionId) {
      const h = handle();
      const rec = h?.coordinator.forSession(sessionId);
      if (!h || !rec) return undefined;
      const status = h.coordinator.status(rec.id);
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
