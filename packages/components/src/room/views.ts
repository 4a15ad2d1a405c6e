/**
 * The room's views past the pre-join: the status line and banners, the lobby, the room itself (tiles, controls
 * and the side panels) and the end screens. Plain render functions, as prejoin.ts and panels.ts: `view(model,
 * handlers)`, the model (`RoomViewModel`) what the element's two controllers hold now (the signalling session and
 * this device's media) with the element's own settings, the handlers what a button does. They know nothing of the
 * element or its controllers beyond these shapes, so the element imports them and not the other way round; each
 * panel's model is a part of this one, so the room passes its own.
 *
 * Media elements' srcObject goes through guard(): Lit commits object values on every render, and a media element
 * given its srcObject again restarts loading (a black flash, the clock back at zero).
 */
import { html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { canInRoom, say, type ConnectionPointInfo, type Lang, type LobbyEntry, type Message, type Participant, type PointHealth, type RoomRole, type RoomState } from '@tiepdan/core';
import type { ParticipantStats, RemoteMedia, TransportChoice } from '@tiepdan/core/browser';
import { fmt } from '../shared/lang.js';
import {
  casePanel,
  chatPanel,
  healthPanel,
  lobbyPanel,
  qualityLabel,
  transportPanel,
  type CaseHandlers,
  type CaseModel,
  type ChatHandlers,
  type ChatLine,
  type ChatModel,
  type HealthModel,
  type LobbyHandlers,
  type LobbyModel,
  type TransportModel,
} from './panels.js';
import type { PrejoinHandlers, PrejoinMedia, PrejoinModel } from './prejoin.js';
import type { RoomRecording, RoomView } from './session.js';

/** What the views read of the signalling session (the room's session controller is one). */
export interface RoomSessionState {
  view: RoomView;
  roomRole: RoomRole | undefined;
  participantId: string | undefined;
  roomState: RoomState;
  participants: Participant[];
  queue: LobbyEntry[];
  position: { position: number; size?: number } | undefined;
  caseId: string | null;
  floor: string | null;
  points: PointHealth[];
  chat: ChatLine[];
  reconnecting: boolean;
  deniedReason: string;
  error: Message | undefined;
  announcement: string;
  /** Sent back to the lobby from the room (the lobby says so). */
  wasReturned: boolean;
}

/** What the views read of this device's media (the room's media controller is one). */
export interface RoomMediaState extends PrejoinMedia {
  remotes: ReadonlyMap<string, RemoteMedia>;
  stats: ReadonlyMap<string, ParticipantStats>;
  speaker: string | undefined;
  sharing: boolean;
  transportChoice: TransportChoice | undefined;
}

/** Everything the room's views show; built by the element on each render. */
export interface RoomViewModel extends PrejoinModel, LobbyModel, CaseModel, TransportModel, HealthModel, ChatModel {
  lang: Lang;
  session: RoomSessionState;
  media: RoomMediaState;
  recording: RoomRecording;
  point: ConnectionPointInfo | undefined;
}

/** What the room's buttons do: each runs the element's request and reports a refusal itself (the error summary). */
export interface RoomHandlers extends PrejoinHandlers, LobbyHandlers, CaseHandlers, ChatHandlers {
  leave(): void;
  openRoom(): void;
  /** Gives the floor, or takes it back with null. */
  giveFloor(participantId: string | null): void;
  returnToLobby(participantId: string): void;
  setMuted(kind: 'audio' | 'video', muted: boolean): void;
  /** Starts sharing a screen, or stops it. */
  share(on: boolean): void;
  raiseHand(raised: boolean): void;
  endSession(): void;
}

/** A connection point's name: from the room's health list, else this client's own point. */
export function pointName(points: PointHealth[], own: ConnectionPointInfo | undefined, pointId: string | undefined): string | undefined {
  if (!pointId) return undefined;
  return points.find((p) => p.id === pointId)?.name ?? (own?.id === pointId ? own.name : undefined);
}

/** The status line for screen readers, the reconnecting banner and the last error (but on the failure screen). */
export function statusView(m: RoomViewModel) {
  const { s, session } = m;
  const { error } = session;
  return html`
    <div class="status sr-only" role="status" aria-live="polite">${session.announcement}</div>
    ${session.reconnecting ? html`<div class="banner" role="alert">${s.reconnecting}</div>` : nothing}
    ${error && session.view !== 'failed' ? html`<div class="error-summary" role="alert"><p>${say(error, m.lang)}</p></div>` : nothing}
  `;
}

/** The end screens: left, denied (with the reason), ended, failed (with why). */
export function endView(m: RoomViewModel) {
  const { s, session } = m;
  switch (session.view) {
    case 'denied':
      return html`<section class="end"><h2 tabindex="-1">${s.deniedHeading}</h2><p>${fmt(s.deniedText, { reason: session.deniedReason })}</p></section>`;
    case 'ended':
      return html`<section class="end"><h2 tabindex="-1">${s.endedHeading}</h2></section>`;
    case 'failed':
      return html`<section class="end"><h2 tabindex="-1">${s.failedHeading}</h2>${session.error ? html`<p role="alert">${say(session.error, m.lang)}</p>` : nothing}</section>`;
    default:
      return html`<section class="end"><h2 tabindex="-1">${s.leftHeading}</h2><p>${s.leftText}</p></section>`;
  }
}

/** The recording indicator, in the lobby and the room; officials also see its alarm. */
export function recordingView(m: RoomViewModel) {
  const { s, recording: r } = m;
  const role = m.session.roomRole;
  const on = r.state === 'recording';
  const label = on ? s.recording : r.source === 'none' ? s.notRecording : s[`recording_${r.state}`];
  return html`<p class="recording ${on ? 'on' : 'off'}" role="status" id="recording">
    <span class="dot" aria-hidden="true"></span>
    <span>${label}${r.source === 'none' ? html`<span class="hint-inline"> (${s.notRecordingHint})</span>` : nothing}</span>
    ${r.alarm && role && role !== 'citizen' ? html`<strong class="alarm">${s[r.alarm === 'no_recorder' ? 'alarmNoRecorder' : 'alarmFailed']}</strong>` : nothing}
  </p>`;
}

export function lobbyView(m: RoomViewModel, h: RoomHandlers) {
  const { s, session } = m;
  const p = session.position;
  const stream = m.media.localStream ?? null;
  return html`<section class="lobby" aria-labelledby="lobby-heading">
    <h2 id="lobby-heading" tabindex="-1">${s.lobbyHeading}</h2>
    ${recordingView(m)}
    ${session.wasReturned ? html`<p>${s.lobbyReturned}</p>` : nothing}
    <p class="wait">${s.lobbyWait}</p>
    ${p ? html`<p class="position" role="status">${p.size ? fmt(s.lobbyPosition, { position: p.position, size: p.size }) : fmt(s.lobbyPositionOnly, { position: p.position })}</p>` : nothing}
    ${session.roomState === 'pending' ? html`<p class="hint">${s.lobbyNotOpen}</p>` : nothing}
    <video class="mirror small" aria-label=${s.preview} .srcObject=${guard([stream], () => stream)} autoplay playsinline .muted=${true}></video>
    <div><button type="button" class="secondary" @click=${() => h.leave()}>${s.leave}</button></div>
  </section>`;
}

/** The room itself: the floor, the tiles, the controls and the panels this role uses. */
export function roomView(m: RoomViewModel, h: RoomHandlers) {
  const { s, session } = m;
  const role = session.roomRole;
  // The room is shown only once the server said hello, which gives the role.
  if (!role) return nothing;
  const me = session.participants.find((p) => p.participantId === session.participantId);
  const others = session.participants.filter((p) => p.participantId !== session.participantId && p.status !== 'lobby');
  const manages = canInRoom(role, 'lobby.manage');
  const floor = session.floor ? session.participants.find((p) => p.participantId === session.floor)?.name ?? session.floor : '';
  return html`<section class="room" aria-labelledby="room-heading">
    <div class="top">
      <h2 id="room-heading" tabindex="-1">${s.roomHeading}</h2>
      ${recordingView(m)}
    </div>
    <p class="floor">${session.floor ? fmt(s.floor, { name: floor }) : s.floorNobody}</p>
    ${manages && session.roomState === 'pending'
      ? html`<div class="notice"><p>${s.roomPending}</p><button part="button" type="button" id="open-room" @click=${() => h.openRoom()}>${s.openRoom}</button></div>`
      : nothing}
    <ul class="tiles" aria-label=${s.participants}>
      ${tileView(m, h, role, me ?? { participantId: session.participantId ?? '', role, name: m.name ?? '', status: 'present', connected: true, hand: false, screen: m.media.sharing }, true)}
      ${repeat(others, (p) => p.participantId, (p) => tileView(m, h, role, p, false))}
    </ul>
    ${controlsView(m, h, role, me)}
    <div class="panels">
      ${manages ? lobbyPanel(m, h) : nothing}
      ${manages || role === 'chair' ? casePanel(m, h) : nothing}
      ${role !== 'citizen' ? transportPanel(m) : nothing}
      ${role === 'operator' || role === 'chair' || role === 'clerk' ? healthPanel(m) : nothing}
      ${role === 'citizen' && session.caseId
        ? html`<section class="panel"><tiepdan-confirmation .server=${m.server} .token=${m.token} lang=${m.lang}></tiepdan-confirmation></section>`
        : nothing}
      ${chatPanel(m, h)}
    </div>
  </section>`;
}

function tileView(m: RoomViewModel, h: RoomHandlers, role: RoomRole, p: Participant, self: boolean) {
  const { s, media, session } = m;
  const id = p.participantId;
  const remote = self ? undefined : media.remotes.get(id);
  const stream = (self ? media.localStream : remote?.stream) ?? null;
  const st = media.stats.get(id);
  const point = pointName(session.points, m.point, p.pointId);
  const hasFloor = session.floor === id;
  const speaking = media.speaker === id;
  const tags = [hasFloor ? s.hasFloor : '', speaking ? s.speaking : '', p.hand ? s.handRaised : '', p.screen ? s.sharing : '', self && media.muted.audio ? s.muted : ''].filter(Boolean);
  return html`<li part="tile" class="tile ${speaking ? 'speaking' : ''} ${hasFloor ? 'floor' : ''}" data-participant=${id}>
    <video class=${self ? 'mirror' : ''} .srcObject=${guard([stream], () => stream)} autoplay playsinline .muted=${true} aria-hidden="true"></video>
    ${self || !stream ? nothing : html`<audio .srcObject=${guard([stream], () => stream)} autoplay></audio>`}
    ${remote?.screen ? html`<video class="screen" .srcObject=${guard([remote.screen], () => remote.screen)} autoplay playsinline .muted=${true} aria-label=${s.sharing}></video>` : nothing}
    <div class="label">
      <strong>${self ? fmt(s.you, { name: p.name }) : p.name}</strong>
      <span>${[s[`roles_${p.role}`], point].filter(Boolean).join(' · ')}</span>
      ${tags.length ? html`<span class="tags">${tags.join(' · ')}</span>` : nothing}
      ${self ? nothing : html`<span class="quality q-${st?.quality ?? 'unknown'}">${s.quality}: ${qualityLabel(s, p.connected ? st?.quality : 'lost')}</span>`}
      ${role === 'chair' && !self && p.role !== 'observer'
        ? html`<button type="button" class="secondary small" @click=${() => h.giveFloor(hasFloor ? null : id)}>
            ${hasFloor ? s.takeFloor : s.giveFloor}<span class="sr-only">: ${p.name}</span></button>`
        : nothing}
      ${canInRoom(role, 'lobby.manage') && p.role === 'citizen' && p.status === 'admitted'
        ? html`<button type="button" class="secondary small" @click=${() => h.returnToLobby(id)}>${s.returnLobby}<span class="sr-only">: ${p.name}</span></button>`
        : nothing}
    </div>
  </li>`;
}

function controlsView(m: RoomViewModel, h: RoomHandlers, role: RoomRole, me: Participant | undefined) {
  const { s } = m;
  const { muted, sharing } = m.media;
  return html`<div class="controls" part="controls" role="group" aria-label=${s.roomHeading}>
    <button type="button" id="mute" aria-pressed=${muted.audio ? 'true' : 'false'} @click=${() => h.setMuted('audio', !muted.audio)}>${muted.audio ? s.unmuteMic : s.muteMic}</button>
    <button type="button" id="camera-toggle" aria-pressed=${muted.video ? 'true' : 'false'} @click=${() => h.setMuted('video', !muted.video)}>${muted.video ? s.cameraOn : s.cameraOff}</button>
    ${canInRoom(role, 'screen.share') ? html`<button type="button" id="share" @click=${() => h.share(!sharing)}>${sharing ? s.stopShare : s.share}</button>` : nothing}
    ${canInRoom(role, 'hand.raise')
      ? html`<button type="button" id="hand" aria-pressed=${me?.hand ? 'true' : 'false'} @click=${() => h.raiseHand(!me?.hand)}>${me?.hand ? s.lowerHand : s.raiseHand}</button>`
      : nothing}
    ${canInRoom(role, 'room.end')
      ? html`<button type="button" id="end" class="danger" @click=${() => {
          if (confirm(s.endConfirm)) h.endSession();
        }}>${s.endSession}</button>`
      : nothing}
    <button type="button" id="leave" class="secondary" @click=${() => h.leave()}>${s.leave}</button>
  </div>`;
}
