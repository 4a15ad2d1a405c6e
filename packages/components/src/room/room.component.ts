/**
 * The video room of a reception session (SPEC §2 step 4): pre-join (devices, level meter, network check, the
 * recording notice), the lobby, and the room itself, for citizens and officials alike. What a role may do is
 * decided by the server on every request; the element hides what the role cannot use and says why it refuses.
 *
 * The element renders; its state is two Lit reactive controllers': the signalling session (session.ts: client,
 * participants, lobby and admission, chat, recording indicator) and the media it owns (media.ts: devices, local
 * tracks, the mesh or Jitsi transport). The views are render functions over a view model (prejoin.ts, panels.ts).
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { canInRoom, say, type ConnectionPointInfo, type LobbyEntry, type NetworkQuality, type Participant, type PointHealth, type RoomRole, type RoomState } from '@tiepdan/core';
import type { ParticipantStats, RoomMediaSource, RoomMediaTile, TransportChoice } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { fmt } from '../shared/lang.js';
import { admitCase, isDeskCase } from './desk-case.js';
import type { NetworkCheck } from './devices.js';
import { casePanel, chatPanel, healthPanel, lobbyPanel, qualityLabel, transportPanel, type CasePanel, type ChatLine, type LobbyPanel } from './panels.js';
import { prejoinView } from './prejoin.js';
import { RoomActionError } from './errors.js';
import { roomStyles } from './room.styles.js';
import { RoomSession, type RoomRecording, type RoomView } from './session.js';
import { roomStrings, type RoomStrings } from './strings.js';
import { tokenInfo } from './token.js';

export { RoomActionError };
export type { RoomRecording, RoomRecordingState, RoomView } from './session.js';

// Media elements' srcObject goes through guard(): Lit commits object values on every render, and a media element
// given its srcObject again restarts loading (a black flash, the clock back at zero).

/**
 * @tagname tiepdan-room
 * @summary The video room of a citizen reception session: pre-join, lobby, and the room for every role.
 *
 * @attr server - Base URL of the tiepdan server (its `/ws` is the signaling endpoint).
 * @attr session - The reception session's id.
 * @attr lang - "vi" (default) or "en".
 * @attr theme - "light" (default), "dark" or "screen" (a 1080p room screen: larger tiles and text).
 * @attr transport - "auto" (default: by participant count), "native" or "jitsi".
 * @attr jitsi-script - Overrides `https://<jitsi-domain>/libs/lib-jitsi-meet.min.js`.
 * @prop token - An official's access token or a citizen's join token. Prefer the property to markup.
 * @prop point - The connection point this client runs ({ id, name, unit }), declared to the room on joining.
 * @prop recordingState - The session's recording state as the server reports it; "not recording" until then.
 *
 * @fires tiepdan-joined - Connected to the room; detail `{ participantId, role, status }`.
 * @fires tiepdan-admitted - A citizen was admitted from the lobby; detail `{ caseId }`.
 * @fires tiepdan-left - Left the room; detail `{ reason }` ("bye", "denied", "ended", "failed").
 * @fires tiepdan-reconnecting - The connection dropped or came back; detail `{ state }`.
 * @fires tiepdan-recording-state - The recording indicator changed; detail `{ state, source }`.
 * @fires tiepdan-error - Something failed; detail `{ code, message }`.
 *
 * @csspart tile - A participant's video tile.
 * @csspart controls - The in-room control bar.
 * @csspart button - Primary buttons.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanRoom extends TiepdanElement<RoomStrings> {
  static override styles = roomStyles;
  protected readonly strings = roomStrings;

  @property() session = '';
  @property({ reflect: true }) theme: 'light' | 'dark' | 'screen' = 'light';
  @property() transport: 'auto' | 'native' | 'jitsi' = 'auto';
  @property({ attribute: 'jitsi-script' }) jitsiScript = '';
  @property({ attribute: false }) token = '';
  @property({ attribute: false }) point: ConnectionPointInfo | undefined;
  @property({ attribute: false }) recordingState: RoomRecording = { state: 'not_recording', source: 'none' };

  @state() acknowledged = false;
  @state() private noticeError = false;
  /** The lobby entry whose denial form is open. */
  @state() denying: string | undefined;

  readonly #room = new RoomSession(this, { caseUpdated: (caseId) => this.#caseUpdated(caseId) });
  readonly #media = this.#room.media;
  #prepared = false;

  // The session's and the media's state stay the element's public fields (pages, tests and the recorder read them,
  // some set them): each name reads and writes its controller's field, and a write renders again.
  declare view: RoomView;
  declare roomRole: RoomRole | undefined;
  declare participantId: string | undefined;
  declare roomState: RoomState;
  declare participants: Participant[];
  declare queue: LobbyEntry[];
  declare position: { position: number; size?: number } | undefined;
  declare caseId: string | null;
  declare floor: string | null;
  declare points: PointHealth[];
  declare chat: ChatLine[];
  declare reconnecting: boolean;
  declare transportChoice: TransportChoice | undefined;
  declare level: number;
  declare network: NetworkCheck | 'checking' | 'failed' | undefined;
  static {
    const expose = (keys: string[], of: (el: TiepdanRoom) => object) => {
      for (const key of keys)
        Object.defineProperty(this.prototype, key, {
          get(this: TiepdanRoom) {
            return (of(this) as Record<string, unknown>)[key];
          },
          set(this: TiepdanRoom, value: unknown) {
            (of(this) as Record<string, unknown>)[key] = value;
            this.requestUpdate();
          },
        });
    };
    expose(['view', 'roomRole', 'participantId', 'roomState', 'participants', 'queue', 'position', 'caseId', 'floor', 'points', 'chat', 'reconnecting'], (el) => el.#room);
    expose(['transportChoice', 'level', 'network'], (el) => el.#media);
  }

  protected override willUpdate(): void {
    if (!this.#prepared && this.view === 'prejoin' && this.server && this.session && this.token) {
      this.#prepared = true;
      // After this update: prepare() sets state, which must not happen inside it.
      queueMicrotask(() => void this.prepare());
    }
  }

  /**
   * The room's media for a recorder on this device (`<tiepdan-recorder>.source`), whatever the transport: this
   * device's tile first, then every visible participant's, labelled with point, name and role as on screen.
   */
  readonly mediaSource: RoomMediaSource = {
    tiles: () => {
      const s = this.s;
      const tile = (p: Participant, stream: MediaStream | null | undefined, id = p.participantId): RoomMediaTile => ({ id, stream: stream ?? null, point: this.#pointName(p.pointId) || undefined, name: p.name, role: s[`roles_${p.role}`] });
      const own = this.participants.find((p) => p.participantId === this.participantId);
      const out: RoomMediaTile[] = own ? [tile(own, this.#media.localStream)] : [];
      for (const p of this.participants) {
        const remote = this.#media.remotes.get(p.participantId);
        if (p.participantId === this.participantId || !remote) continue;
        out.push(tile(p, remote.stream));
        if (remote.screen) out.push(tile(p, remote.screen, `${p.participantId}:screen`));
      }
      return out;
    },
    onChange: (listener) => {
      this.#mediaListeners.add(listener);
      return () => this.#mediaListeners.delete(listener);
    },
  };
  readonly #mediaListeners = new Set<() => void>();

  /** The view the last update showed. */
  #shown: RoomView | undefined;
  /** What the recorder's tiles were last made of: a change (by identity, as Lit compares) tells its listeners. */
  #tilesFrom: unknown[] = [];

  protected override updated(changed: PropertyValues<this>): void {
    // A new view (lobby, room, the end) takes the focus to its heading, so screen readers announce where we are.
    const shown = this.#shown;
    this.#shown = this.view;
    if (shown !== undefined && shown !== this.view && this.view !== 'prejoin' && this.view !== 'connecting') {
      this.renderRoot.querySelector<HTMLElement>('h2[tabindex="-1"]')?.focus();
    }
    const from = [this.#media.remotes, this.#media.localStream, this.participants];
    if (from.some((v, i) => v !== this.#tilesFrom[i])) for (const listener of [...this.#mediaListeners]) listener();
    this.#tilesFrom = from;
    if (changed.has('recordingState')) {
      const before = changed.get('recordingState') as RoomRecording | undefined;
      const now = this.recordingState;
      if (!before || before.state !== now.state || before.source !== now.source || before.alarm !== now.alarm) this.emit('tiepdan-recording-state', { ...now });
    }
  }

  // ---------------------------------------------------------------------------------------------- pre-join

  /** Opens the devices and runs the network check; called by itself once server, session and token are set. */
  async prepare(): Promise<void> {
    await Promise.all([this.#media.openDevices(), this.checkNetwork()]);
  }

  checkNetwork(): Promise<void> {
    return this.#media.checkNetwork();
  }

  // ---------------------------------------------------------------------------------------------- joining

  /** Joins the room (the citizen must have acknowledged the notice); resolves once the server said hello. */
  async join(): Promise<void> {
    if (!this.server || !this.session || !this.token) {
      this.#room.fail('bad_request', { vi: roomStrings('vi').missing, en: roomStrings('en').missing });
      return;
    }
    if (!this.acknowledged) {
      this.noticeError = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#notice-ack')?.focus();
      throw new RoomActionError('notice_required', { vi: roomStrings('vi').noticeRequired, en: roomStrings('en').noticeRequired });
    }
    this.noticeError = false;
    await this.#room.join();
  }

  // ---------------------------------------------------------------------------------------------- actions

  /** Opens the room so citizens can be admitted (chair, clerk). */
  openRoom(): Promise<void> {
    return this.#room.act('room.open', 'room.open', {}).then(() => void (this.roomState = 'open'));
  }
  /** Admits a citizen from the lobby, optionally bound to a case (chair, clerk). */
  admit(participantId: string, caseId?: string): Promise<void> {
    return this.#room.act('lobby.manage', 'lobby.admit', { participantId, ...(caseId ? { caseId } : {}) }).then(() => undefined);
  }
  /** Denies a citizen with a reason the citizen is shown (chair, clerk). */
  deny(participantId: string, reason: string): Promise<void> {
    return this.#room.act('lobby.manage', 'lobby.deny', { participantId, reason }).then(() => undefined);
  }
  /** Sends an admitted citizen back to the lobby (chair, clerk). */
  returnToLobby(participantId: string): Promise<void> {
    return this.#room.act('lobby.manage', 'lobby.return', { participantId }).then(() => undefined);
  }
  #desk: Promise<unknown> | undefined;
  /** Loads <tiepdan-desk> once, when the room first shows a desk case (a failed download is tried again next time). */
  loadDesk(): void {
    this.#desk ??= import('../desk/desk.js').catch((error: unknown) => {
      this.#desk = undefined;
      console.warn('tiepdan: <tiepdan-desk> could not be loaded', error);
    });
  }

  /**
   * A desk step was recorded on a case of this session (by this desk, another official's, or the citizen's own
   * confirmation): the desk panel showing that case and the citizen's view read it again, so nobody presses
   * "Tải lại" to see the citizen's confirmation or the officer's outcome.
   */
  #caseUpdated(caseId: string): void {
    type Reloadable = HTMLElement & { caseId?: string; pending?: { caseId: string } | null; load?: () => Promise<void> };
    const desk = this.renderRoot.querySelector<Reloadable>('tiepdan-desk');
    if (desk?.caseId === caseId) void desk.load?.();
    // The citizen's view may not know the case yet (no content before this step): it asks the server which is theirs.
    const own = this.renderRoot.querySelector<Reloadable>('tiepdan-confirmation');
    if (own && (!own.pending || own.pending.caseId === caseId)) void own.load?.();
  }

  #confirmationLoad: Promise<unknown> | undefined;
  /** An admitted citizen's own view of their case (content to confirm, receipt), loaded on demand. */
  #confirmation() {
    this.#confirmationLoad ??= import('../confirmation/confirmation.js').catch(() => (this.#confirmationLoad = undefined));
    return html`<section class="panel"><tiepdan-confirmation .server=${this.server} .token=${this.token} lang=${this.speaks}></tiepdan-confirmation></section>`;
  }

  /** Sets or clears the case being received (chair, clerk). */
  setCase(caseId: string | null): Promise<void> {
    return this.#room.act('case.set', 'case.set', { caseId }).then(() => undefined);
  }
  /** Gives the floor, or takes it back with null (chair). */
  giveFloor(participantId: string | null): Promise<void> {
    return this.#room.act('floor.give', 'floor.give', { participantId }).then(() => undefined);
  }
  /** Ends the session for everyone (chair). */
  async endSession(): Promise<void> {
    await this.#room.act('room.end', 'room.end', {});
    await this.#room.finish('ended');
  }
  /** Raises or lowers the hand (everyone but the chair and observers). */
  raiseHand(raised: boolean): Promise<void> {
    return this.#room.act('hand.raise', 'hand.raise', { raised }).then(() => undefined);
  }
  sendChat(text: string): Promise<void> {
    return this.#room.act('chat.send', 'chat.send', { text }).then(() => undefined);
  }

  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.#media.setMuted(kind, muted);
  }

  /** Shares a screen, a window or a document open in a tab (roles that may share). */
  async shareScreen(): Promise<void> {
    if (!this.roomRole || !canInRoom(this.roomRole, 'screen.share')) throw new RoomActionError(this.roomRole ? 'forbidden' : 'not_joined');
    await this.#media.shareScreen();
  }

  stopScreenShare(): Promise<void> {
    return this.#media.stopScreenShare();
  }

  /** The media link to each participant (bytes, round trip, loss, quality): for operators' tools and tests. */
  mediaStats(): Promise<ParticipantStats[]> {
    return this.#media.mediaStats();
  }

  /** The native transport's peer connection states (operators' diagnostics); empty on Jitsi. */
  mediaDiagnostics(): Record<string, unknown>[] {
    return this.#media.diagnostics();
  }

  /** The transport in use, if any (after admission). */
  get mediaTransport(): 'native' | 'jitsi' | undefined {
    return this.#media.kind;
  }

  /** Leaves the session for good (the place is given up). */
  async leave(): Promise<void> {
    await this.#room.finish('left');
  }

  // ---------------------------------------------------------------------------------------------- render

  protected override render() {
    const s = this.s;
    const { error } = this.#room;
    return html`
      <div class="status sr-only" role="status" aria-live="polite">${this.#room.announcement}</div>
      ${this.reconnecting ? html`<div class="banner" role="alert">${s.reconnecting}</div>` : nothing}
      ${error && this.view !== 'failed' ? html`<div class="error-summary" role="alert"><p>${say(error, this.speaks)}</p></div>` : nothing}
      ${this.#renderView()}
    `;
  }

  #renderView() {
    const s = this.s;
    switch (this.view) {
      case 'prejoin':
      case 'connecting':
        return this.#renderPrejoin();
      case 'lobby':
        return this.#renderLobby();
      case 'room':
        return this.#renderRoom();
      case 'left':
        return html`<section class="end"><h2 tabindex="-1">${s.leftHeading}</h2><p>${s.leftText}</p></section>`;
      case 'denied':
        return html`<section class="end"><h2 tabindex="-1">${s.deniedHeading}</h2><p>${fmt(s.deniedText, { reason: this.#room.deniedReason })}</p></section>`;
      case 'ended':
        return html`<section class="end"><h2 tabindex="-1">${s.endedHeading}</h2></section>`;
      case 'failed':
        return html`<section class="end"><h2 tabindex="-1">${s.failedHeading}</h2>${this.#room.error ? html`<p role="alert">${say(this.#room.error, this.speaks)}</p>` : nothing}</section>`;
    }
  }

  #renderPrejoin() {
    return prejoinView(
      {
        s: this.s,
        name: tokenInfo(this.token).name,
        pointName: this.point?.name,
        missing: !this.server || !this.session || !this.token,
        acknowledged: this.acknowledged,
        noticeError: this.noticeError,
        connecting: this.view === 'connecting',
        acknowledge: (checked) => {
          this.acknowledged = checked;
          if (checked) this.noticeError = false;
        },
        join: () => void this.join().catch(() => undefined),
      },
      this.#media,
    );
  }

  #renderLobby() {
    const s = this.s;
    const p = this.position;
    const stream = this.#media.localStream ?? null;
    return html`<section class="lobby" aria-labelledby="lobby-heading">
      <h2 id="lobby-heading" tabindex="-1">${s.lobbyHeading}</h2>
      ${this.#renderRecording()}
      ${this.#room.wasReturned ? html`<p>${s.lobbyReturned}</p>` : nothing}
      <p class="wait">${s.lobbyWait}</p>
      ${p ? html`<p class="position" role="status">${p.size ? fmt(s.lobbyPosition, { position: p.position, size: p.size }) : fmt(s.lobbyPositionOnly, { position: p.position })}</p>` : nothing}
      ${this.roomState === 'pending' ? html`<p class="hint">${s.lobbyNotOpen}</p>` : nothing}
      <video class="mirror small" aria-label=${s.preview} .srcObject=${guard([stream], () => stream)} autoplay playsinline .muted=${true}></video>
      <div><button type="button" class="secondary" @click=${() => void this.leave()}>${s.leave}</button></div>
    </section>`;
  }

  #renderRecording() {
    const s = this.s;
    const r = this.recordingState;
    const on = r.state === 'recording';
    const label = on ? s.recording : r.source === 'none' ? s.notRecording : s[`recording_${r.state}`];
    return html`<p class="recording ${on ? 'on' : 'off'}" role="status" id="recording">
      <span class="dot" aria-hidden="true"></span>
      <span>${label}${r.source === 'none' ? html`<span class="hint-inline"> (${s.notRecordingHint})</span>` : nothing}</span>
      ${r.alarm && this.roomRole && this.roomRole !== 'citizen' ? html`<strong class="alarm">${s[r.alarm === 'no_recorder' ? 'alarmNoRecorder' : 'alarmFailed']}</strong>` : nothing}
    </p>`;
  }

  #name(id: string | null | undefined): string {
    if (!id) return '';
    return this.participants.find((p) => p.participantId === id)?.name ?? id;
  }

  #pointName(pointId: string | undefined): string | undefined {
    if (!pointId) return undefined;
    return this.points.find((p) => p.id === pointId)?.name ?? (this.point?.id === pointId ? this.point.name : undefined);
  }

  #quality(q: NetworkQuality | undefined): string {
    return qualityLabel(this.s, q);
  }

  /** An operator sees their own point; the chair and the clerk see every point. */
  #healthPoints(): PointHealth[] {
    const mine = this.#room.hello?.room.participants.find((p) => p.participantId === this.participantId)?.pointId ?? this.point?.id;
    return this.roomRole === 'operator' && mine ? this.points.filter((p) => p.id === mine) : this.points;
  }

  #renderRoom() {
    const s = this.s;
    const role = this.roomRole!;
    const me = this.participants.find((p) => p.participantId === this.participantId);
    const others = this.participants.filter((p) => p.participantId !== this.participantId && p.status !== 'lobby');
    const manages = canInRoom(role, 'lobby.manage');
    return html`<section class="room" aria-labelledby="room-heading">
      <div class="top">
        <h2 id="room-heading" tabindex="-1">${s.roomHeading}</h2>
        ${this.#renderRecording()}
      </div>
      <p class="floor">${this.floor ? fmt(s.floor, { name: this.#name(this.floor) }) : s.floorNobody}</p>
      ${manages && this.roomState === 'pending'
        ? html`<div class="notice"><p>${s.roomPending}</p><button part="button" type="button" id="open-room" @click=${() => void this.openRoom().catch(() => undefined)}>${s.openRoom}</button></div>`
        : nothing}
      <ul class="tiles" aria-label=${s.participants}>
        ${this.#renderTile(me ?? { participantId: this.participantId!, role, name: tokenInfo(this.token).name ?? '', status: 'present', connected: true, hand: false, screen: this.#media.sharing }, true)}
        ${repeat(others, (p) => p.participantId, (p) => this.#renderTile(p, false))}
      </ul>
      ${this.#renderControls(me)}
      <div class="panels">
        ${manages ? lobbyPanel(this.#lobbyPanel(), s) : nothing}
        ${manages || role === 'chair' ? casePanel(this.#casePanel(), s, this.speaks) : nothing}
        ${role !== 'citizen' ? transportPanel(this.transportChoice, s, this.speaks) : nothing}
        ${role === 'operator' || role === 'chair' || role === 'clerk' ? healthPanel(this.#healthPoints(), s) : nothing}
        ${role === 'citizen' && this.caseId ? this.#confirmation() : nothing}
        ${chatPanel({ chat: this.chat, canSend: canInRoom(role, 'chat.send'), send: (text) => this.sendChat(text) }, s)}
      </div>
    </section>`;
  }

  #lobbyPanel(): LobbyPanel {
    return {
      queue: this.queue,
      open: this.roomState === 'open',
      denying: this.denying,
      admit: (id) => void this.admit(id, admitCase(this.caseId)).catch(() => undefined),
      toggleDeny: (id) => void (this.denying = this.denying === id ? undefined : id),
      deny: (id, reason) => void this.deny(id, reason).then(() => (this.denying = undefined)).catch(() => undefined),
    };
  }

  #casePanel(): CasePanel {
    const desk = isDeskCase(this.caseId) && canInRoom(this.roomRole!, 'lobby.manage');
    // The desk is its own element, loaded the first time a case needs it: the room's first screen stays small.
    if (desk) this.loadDesk();
    return { server: this.server, token: this.token, caseId: this.caseId, desk, canSet: canInRoom(this.roomRole!, 'case.set'), setCase: (caseId) => this.setCase(caseId) };
  }

  #renderTile(p: Participant, self: boolean) {
    const s = this.s;
    const m = this.#media;
    const remote = self ? undefined : m.remotes.get(p.participantId);
    const stream = self ? m.localStream : remote?.stream;
    const st = m.stats.get(p.participantId);
    const point = this.#pointName(p.pointId);
    const tags = [
      this.floor === p.participantId ? s.hasFloor : '',
      m.speaker === p.participantId ? s.speaking : '',
      p.hand ? s.handRaised : '',
      p.screen ? s.sharing : '',
      self && m.muted.audio ? s.muted : '',
    ].filter(Boolean);
    const chair = this.roomRole === 'chair' && !self;
    return html`<li part="tile" class="tile ${m.speaker === p.participantId ? 'speaking' : ''} ${this.floor === p.participantId ? 'floor' : ''}" data-participant=${p.participantId}>
      <video class=${self ? 'mirror' : ''} .srcObject=${guard([stream ?? null], () => stream ?? null)} autoplay playsinline .muted=${true} aria-hidden="true"></video>
      ${self || !stream ? nothing : html`<audio .srcObject=${guard([stream], () => stream)} autoplay></audio>`}
      ${remote?.screen ? html`<video class="screen" .srcObject=${guard([remote.screen], () => remote.screen)} autoplay playsinline .muted=${true} aria-label=${s.sharing}></video>` : nothing}
      <div class="label">
        <strong>${self ? fmt(s.you, { name: p.name }) : p.name}</strong>
        <span>${[s[`roles_${p.role}`], point].filter(Boolean).join(' · ')}</span>
        ${tags.length ? html`<span class="tags">${tags.join(' · ')}</span>` : nothing}
        ${self ? nothing : html`<span class="quality q-${st?.quality ?? 'unknown'}">${s.quality}: ${this.#quality(p.connected ? st?.quality : 'lost')}</span>`}
        ${chair && p.role !== 'observer'
          ? html`<button type="button" class="secondary small" @click=${() => void this.giveFloor(this.floor === p.participantId ? null : p.participantId).catch(() => undefined)}>
              ${this.floor === p.participantId ? s.takeFloor : s.giveFloor}<span class="sr-only">: ${p.name}</span></button>`
          : nothing}
        ${canInRoom(this.roomRole!, 'lobby.manage') && p.role === 'citizen' && p.status === 'admitted'
          ? html`<button type="button" class="secondary small" @click=${() => void this.returnToLobby(p.participantId).catch(() => undefined)}>${s.returnLobby}<span class="sr-only">: ${p.name}</span></button>`
          : nothing}
      </div>
    </li>`;
  }

  #renderControls(me: Participant | undefined) {
    const s = this.s;
    const role = this.roomRole!;
    const { muted, sharing } = this.#media;
    return html`<div class="controls" part="controls" role="group" aria-label=${s.roomHeading}>
      <button type="button" id="mute" aria-pressed=${muted.audio ? 'true' : 'false'} @click=${() => this.setMuted('audio', !muted.audio)}>${muted.audio ? s.unmuteMic : s.muteMic}</button>
      <button type="button" id="camera-toggle" aria-pressed=${muted.video ? 'true' : 'false'} @click=${() => this.setMuted('video', !muted.video)}>${muted.video ? s.cameraOn : s.cameraOff}</button>
      ${canInRoom(role, 'screen.share')
        ? html`<button type="button" id="share" @click=${() => void (sharing ? this.stopScreenShare() : this.shareScreen()).catch(() => undefined)}>${sharing ? s.stopShare : s.share}</button>`
        : nothing}
      ${canInRoom(role, 'hand.raise')
        ? html`<button type="button" id="hand" aria-pressed=${me?.hand ? 'true' : 'false'} @click=${() => void this.raiseHand(!me?.hand).catch(() => undefined)}>${me?.hand ? s.lowerHand : s.raiseHand}</button>`
        : nothing}
      ${canInRoom(role, 'room.end')
        ? html`<button type="button" id="end" class="danger" @click=${() => { if (confirm(s.endConfirm)) void this.endSession().catch(() => undefined); }}>${s.endSession}</button>`
        : nothing}
      <button type="button" id="leave" class="secondary" @click=${() => void this.leave()}>${s.leave}</button>
    </div>`;
  }
}
