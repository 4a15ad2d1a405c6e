/**
 * The video room of a reception session (SPEC §2 step 4): pre-join (devices, level meter, network check, the
 * recording notice), the lobby, and the room itself, for citizens and officials alike. What a role may do is
 * decided by the server on every request; the element hides what the role cannot use and says why it refuses.
 *
 * The element composes; its state is two Lit reactive controllers': the signalling session (session.ts: client,
 * participants, lobby and admission, chat, recording indicator) and the media it owns (media.ts: devices, local
 * tracks, the mesh or Jitsi transport). The views are plain functions `view(model, handlers)` (views.ts,
 * prejoin.ts, panels.ts) of the view model it builds from both on each render, and of its handlers.
 */
import { html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { canInRoom, type ConnectionPointInfo, type LobbyEntry, type Participant, type PointHealth, type RoomRole, type RoomState } from '@tiepdan/core';
import type { ParticipantStats, RoomMediaSource, RoomMediaTile, TransportChoice } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { admitCase, isDeskCase } from './desk-case.js';
import type { NetworkCheck } from './devices.js';
import type { ChatLine } from './panels.js';
import { prejoinView } from './prejoin.js';
import { RoomActionError } from './errors.js';
import { roomStyles } from './room.styles.js';
import { RoomSession, type RoomRecording, type RoomView } from './session.js';
import { roomStrings, type RoomStrings } from './strings.js';
import { tokenInfo } from './token.js';
import { endView, lobbyView, pointName, roomView, statusView, type RoomHandlers, type RoomViewModel } from './views.js';

const ignore = () => undefined;

export { RoomActionError };
export type { RoomRecording, RoomRecordingState, RoomView } from './session.js';

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
      const tile = (p: Participant, stream: MediaStream | null | undefined, id = p.participantId): RoomMediaTile => ({ id, stream: stream ?? null, point: pointName(this.points, this.point, p.pointId) || undefined, name: p.name, role: s[`roles_${p.role}`] });
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

  /** What the buttons do (views.ts): the public actions above, with a refusal left to the error summary. */
  readonly #on: RoomHandlers = {
    acknowledge: (checked) => {
      this.acknowledged = checked;
      if (checked) this.noticeError = false;
    },
    join: () => void this.join().catch(ignore),
    pickCameraOff: (off) => this.#media.pickCameraOff(off),
    pickCamera: (id) => this.#media.pickCamera(id),
    pickMicrophone: (id) => this.#media.pickMicrophone(id),
    checkNetwork: () => void this.checkNetwork(),
    admit: (id) => void this.admit(id, admitCase(this.caseId)).catch(ignore),
    toggleDeny: (id) => void (this.denying = this.denying === id ? undefined : id),
    deny: (id, reason) => void this.deny(id, reason).then(() => (this.denying = undefined)).catch(ignore),
    setCase: (caseId) => this.setCase(caseId),
    sendChat: (text) => this.sendChat(text),
    leave: () => void this.leave(),
    openRoom: () => void this.openRoom().catch(ignore),
    giveFloor: (id) => void this.giveFloor(id).catch(ignore),
    returnToLobby: (id) => void this.returnToLobby(id).catch(ignore),
    setMuted: (kind, muted) => this.setMuted(kind, muted),
    share: (on) => void (on ? this.shareScreen() : this.stopScreenShare()).catch(ignore),
    raiseHand: (raised) => void this.raiseHand(raised).catch(ignore),
    endSession: () => void this.endSession().catch(ignore),
  };

  #confirmationLoad: Promise<unknown> | undefined;

  /** The view model of this render: the two controllers' state and the element's own. */
  #model(): RoomViewModel {
    const room = this.#room;
    const { roomRole: role, caseId } = room;
    const desk = isDeskCase(caseId) && role !== undefined && canInRoom(role, 'lobby.manage');
    // The desk and the citizen's own view of their case are elements of their own, loaded the first time the room
    // shows them: the room's first screen stays small.
    if (desk) this.loadDesk();
    if (role === 'citizen' && caseId) this.#confirmationLoad ??= import('../confirmation/confirmation.js').catch(() => (this.#confirmationLoad = undefined));
    // An operator sees their own point; the chair and the clerk see every point.
    const mine = room.hello?.room.participants.find((p) => p.participantId === room.participantId)?.pointId ?? this.point?.id;
    return {
      s: this.s,
      lang: this.speaks,
      server: this.server,
      token: this.token,
      name: tokenInfo(this.token).name,
      point: this.point,
      missing: !this.server || !this.session || !this.token,
      acknowledged: this.acknowledged,
      noticeError: this.noticeError,
      denying: this.denying,
      desk,
      health: role === 'operator' && mine ? room.points.filter((p) => p.id === mine) : room.points,
      recording: this.recordingState,
      session: room,
      media: this.#media,
    };
  }

  protected override render() {
    const m = this.#model();
    const { view } = m.session;
    const h = this.#on;
    return html`${statusView(m)}${view === 'prejoin' || view === 'connecting' ? prejoinView(m, h) : view === 'lobby' ? lobbyView(m, h) : view === 'room' ? roomView(m, h) : endView(m)}`;
  }
}
