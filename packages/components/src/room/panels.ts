/**
 * The room's side panels: the lobby queue (admit, deny with a reason), the current case, the transport in use
 * and why, the connection points' health, and the chat. Plain render functions, as every view of the room
 * (views.ts, prejoin.ts): `panel(model, handlers)`, the model what to show (each panel's model is a part of the
 * room's view model, so the room passes its own), the handlers what a button does; the element's methods behind
 * those do the requests (and refuse what a role may not do). They know nothing of the element, so the element
 * imports them and not the other way round.
 */
import { html, nothing } from 'lit';
import { canInRoom, formatTime, say, type Lang, type LobbyEntry, type NetworkQuality, type PointHealth, type RoomRole, type RoomState } from '@tiepdan/core';
import type { TransportChoice } from '@tiepdan/core/browser';
import type { RoomStrings } from './strings.js';

export function qualityLabel(s: RoomStrings, q: NetworkQuality | undefined): string {
  return q ? s[`qualities_${q}`] : s.qualityUnknown;
}

/** What the lobby panel shows (the room's view model is one). */
export interface LobbyModel {
  s: RoomStrings;
  session: { queue: LobbyEntry[]; roomState: RoomState };
  /** The lobby entry whose denial form is open. */
  denying: string | undefined;
}

export interface LobbyHandlers {
  admit(participantId: string): void;
  /** Opens that entry's denial form, or closes it when it is the one open. */
  toggleDeny(participantId: string): void;
  deny(participantId: string, reason: string): void;
}

export function lobbyPanel(m: LobbyModel, h: LobbyHandlers) {
  const { s } = m;
  const { queue } = m.session;
  // Citizens are admitted only once the room is open.
  const open = m.session.roomState === 'open';
  return html`<section class="panel" aria-labelledby="queue-heading">
    <h3 id="queue-heading">${s.lobbyList} (${queue.length})</h3>
    ${queue.length === 0 ? html`<p>${s.lobbyEmpty}</p>` : nothing}
    <ol class="queue">
      ${queue.map(
        (e) => html`<li data-participant=${e.participantId}>
          <span>${e.name} <span class="hint-inline">${formatTime(e.since)}</span></span>
          <button type="button" class="small" ?disabled=${!open} @click=${() => h.admit(e.participantId)}>${s.admit}<span class="sr-only">: ${e.name}</span></button>
          <button type="button" class="secondary small" @click=${() => h.toggleDeny(e.participantId)}>${s.deny}<span class="sr-only">: ${e.name}</span></button>
          ${m.denying === e.participantId
            ? html`<form class="deny" @submit=${(ev: Event) => {
                ev.preventDefault();
                const reason = (ev.target as HTMLFormElement).querySelector('textarea')?.value.trim();
                if (reason) h.deny(e.participantId, reason);
              }}>
                <label for="deny-${e.participantId}">${s.denyReason}</label>
                <textarea id="deny-${e.participantId}" required rows="2"></textarea>
                <button type="submit" class="danger small">${s.denyConfirm}</button>
              </form>`
            : nothing}
        </li>`,
      )}
    </ol>
  </section>`;
}

/** What the case panel shows. */
export interface CaseModel {
  s: RoomStrings;
  lang: Lang;
  server: string;
  token: string;
  session: { caseId: string | null; roomRole: RoomRole | undefined };
  /** The case is a desk case this role works on: <tiepdan-desk> shows it (the element loads it first). */
  desk: boolean;
}

export interface CaseHandlers {
  setCase(caseId: string | null): Promise<void>;
}

export function casePanel(m: CaseModel, h: CaseHandlers) {
  const { s } = m;
  const { caseId, roomRole } = m.session;
  // A role that may set the case gets a form for its code and a button to clear it.
  const canSet = roomRole !== undefined && canInRoom(roomRole, 'case.set');
  return html`<section class="panel" aria-labelledby="case-heading">
    <h3 id="case-heading">${s.currentCase}</h3>
    ${m.desk && caseId ? html`<tiepdan-desk .server=${m.server} .caseId=${caseId} .token=${m.token} lang=${m.lang}></tiepdan-desk>` : html`<p class="case">${caseId ?? s.caseNone}</p>`}
    ${canSet
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input');
          const value = input?.value.trim();
          if (input && value) void h.setCase(value).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="case-id">${s.caseLabel}</label>
          <input id="case-id" pattern="[A-Za-z0-9_.:\\-]{1,128}" autocomplete="off" />
          <button type="submit" class="small">${s.caseSet}</button>
          ${caseId ? html`<button type="button" class="secondary small" @click=${() => void h.setCase(null).catch(() => undefined)}>${s.caseClear}</button>` : nothing}
        </form>`
      : nothing}
  </section>`;
}

/** What the transport panel shows: the transport in use and why (the room's media controller chose it). */
export interface TransportModel {
  s: RoomStrings;
  lang: Lang;
  media: { transportChoice: TransportChoice | undefined };
}

export function transportPanel(m: TransportModel) {
  const { s } = m;
  const c = m.media.transportChoice;
  return html`<section class="panel" aria-labelledby="transport-heading">
    <h3 id="transport-heading">${s.transport}</h3>
    <p class="transport">${c ? html`<strong>${s[`transport_${c.kind}`]}</strong>: ${say(c.reason, m.lang)}` : '—'}</p>
  </section>`;
}

/** What the health panel shows: the connection points this role watches (an operator its own, officials all). */
export interface HealthModel {
  s: RoomStrings;
  health: PointHealth[];
}

export function healthPanel(m: HealthModel) {
  const { s, health } = m;
  if (health.length === 0) return nothing;
  return html`<section class="panel" aria-labelledby="health-heading">
    <h3 id="health-heading">${s.health}</h3>
    ${health.map(
      (p) => html`<h4>${p.name}</h4><dl class="health">
        <dt>${p.connected ? s.healthOnline : s.healthOffline}</dt><dd>${s.quality}: ${qualityLabel(s, p.quality)}</dd>
        <dt>${s.healthRtt}</dt><dd>${p.rttMs !== undefined ? `${p.rttMs} ms` : '—'}</dd>
        <dt>${s.healthCamera}</dt><dd>${p.devices ? (p.devices.camera ? s.healthOk : s.healthMissing) : '—'}</dd>
        <dt>${s.healthMic}</dt><dd>${p.devices ? (p.devices.microphone ? s.healthOk : s.healthMissing) : '—'}</dd>
        <dt>${s.healthLastBeat}</dt><dd>${p.lastHeartbeat ? formatTime(p.lastHeartbeat) : '—'}</dd>
      </dl>`,
    )}
  </section>`;
}

export interface ChatLine {
  messageId: string;
  name: string;
  text: string;
  at: string;
  mine: boolean;
}

/** What the chat panel shows; who may write is the role's (observers read only). */
export interface ChatModel {
  s: RoomStrings;
  session: { chat: ChatLine[]; roomRole: RoomRole | undefined };
}

export interface ChatHandlers {
  sendChat(text: string): Promise<void>;
}

export function chatPanel(m: ChatModel, h: ChatHandlers) {
  const { s } = m;
  const { chat, roomRole } = m.session;
  return html`<section class="panel chat" aria-labelledby="chat-heading">
    <h3 id="chat-heading">${s.chat}</h3>
    ${chat.length === 0 ? html`<p>${s.chatEmpty}</p>` : nothing}
    <ol class="messages" aria-live="polite">
      ${chat.map((line) => html`<li class=${line.mine ? 'mine' : ''}><strong>${line.name}</strong> <span class="hint-inline">${formatTime(line.at)}</span><br />${line.text}</li>`)}
    </ol>
    ${roomRole && canInRoom(roomRole, 'chat.send')
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input');
          const text = input?.value.trim();
          if (input && text) void h.sendChat(text).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="chat-input">${s.chatMessage}</label>
          <input id="chat-input" autocomplete="off" maxlength="2000" />
          <button type="submit" class="small">${s.chatSend}</button>
        </form>`
      : nothing}
  </section>`;
}
