/**
 * The coordinator's events, for the rooms (an alarm to officials at once when a mandatory recording loses its
 * recorder) and for anything else in process. Shaped like the room bus: per session and for all, plain JSON.
 * With several nodes, what one node emits is relayed to the others (`relay`, the plugin wires it to the cluster),
 * since the node that changed a recording's lease is not always the one that runs its room.
 */
import type { RecordingState } from '@tiepdan/core';

export type RecordingEvent =
  | { type: 'recorder.elected'; recordingId: string; sessionId: string; epoch: number; recorderId: string; at: string; previous?: { epoch: number; recorderId: string } }
  | { type: 'recorder.lost'; recordingId: string; sessionId: string; epoch: number; recorderId: string; reason: 'lapsed' | 'left'; at: string }
  /** A mandatory recording has no active recorder: officials must see it at once. */
  | { type: 'recording.alarm'; recordingId: string; sessionId: string; code: 'no_recorder'; since: string }
  | { type: 'recording.alarm_cleared'; recordingId: string; sessionId: string; at: string }
  | { type: 'recording.state'; recordingId: string; sessionId: string; state: RecordingState; at: string }
  | { type: 'recording.failed'; recordingId: string; sessionId: string; error: string; at: string };

export type RecordingListener = (event: RecordingEvent) => void;

export class RecordingEvents {
  private readonly bySession = new Map<string, Set<RecordingListener>>();
  private readonly all = new Set<RecordingListener>();

  private relayed: ((event: RecordingEvent) => void) | undefined;

  /** An event of this node: to the listeners here and, through the relay, to the other nodes. */
  emit(event: RecordingEvent): void {
    this.deliver(event);
    this.relayed?.(event);
  }

  /** An event from another node: to the listeners here only. */
  deliver(event: RecordingEvent): void {
    for (const listener of this.bySession.get(event.sessionId) ?? []) safely(listener, event);
    for (const listener of this.all) safely(listener, event);
  }

  /** Sends every event emitted here to `send` as well (the other nodes). */
  relay(send: (event: RecordingEvent) => void): void {
    this.relayed = send;
  }

  subscribe(sessionId: string, listener: RecordingListener): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  subscribeAll(listener: RecordingListener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }
}

/** A listener that throws must not stop the coordinator or the other listeners. */
function safely(listener: RecordingListener, event: RecordingEvent): void {
  try {
    listener(event);
  } catch {
    // The subscriber's own problem; the event has been delivered to the rest.
  }
}
