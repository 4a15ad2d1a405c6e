/**
 * The room's side panels: the lobby queue (admit, deny with a reason), the current case, the transport in use
 * and why, the connection points' health, and the chat. Plain render functions over a view model each: what to show
 * and what a button does; the element's methods behind those do the requests (and refuse what a role may not do).
 * They know nothing of the element, so the element imports them and not the other way round.
 */
import { html, nothing } from 'lit';
import { formatTime, say, type Lang, type LobbyEntry, type NetworkQuality, type PointHealth } from '@tiepdan/core';
import type { TransportChoice } from '@tiepdan/core/browser';
import type { RoomStrings } from './strings.js';

export function qualityLabel(s: RoomStrings, q: NetworkQuality | undefined): string {
  return q ? s[`qualities_${q}`] : s.qualityUnknown;
}

export interface LobbyPanel {
  queue: LobbyEntry[];
  /** Citizens are admitted only once the room is open. */
  open: boolean;
  /** The lobby entry whose denial form is open. */
  denying: string | undefined;
  admit(participantId: string): void;
  /** Opens that entry's denial form, or closes it when it is the one open. */
  toggleDeny(participantId: string): void;
  deny(participantId: string, reason: string): void;
}

export function lobbyPanel(v: LobbyPanel, s: RoomStrings) {
  return html`<section class="panel" aria-labelledby="queue-heading">
    <h3 id="queue-heading">${s.lobbyList} (${v.queue.length})</h3>
    ${v.queue.length === 0 ? html`<p>${s.lobbyEmpty}</p>` : nothing}
    <ol class="queue">
      ${v.queue.map(
        (e) => html`<li data-participant=${e.participantId}>
          <span>${e.name} <span class="hint-inline">${formatTime(e.since)}</span></span>
          <button type="button" class="small" ?disabled=${!v.open} @click=${() => v.admit(e.participantId)}>${s.admit}<span class="sr-only">: ${e.name}</span></button>
          <button type="button" class="secondary small" @click=${() => v.toggleDeny(e.participantId)}>${s.deny}<span class="sr-only">: ${e.name}</span></button>
          ${v.denying === e.participantId
            ? html`<form class="deny" @submit=${(ev: Event) => {
                ev.preventDefault();
                const reason = (ev.target as HTMLFormElement).querySelector('textarea')!.value.trim();
                if (reason) v.deny(e.participantId, reason);
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

export interface CasePanel {
  server: string;
  token: string;
  caseId: string | null;
  /** The case is a desk case this role works on: <tiepdan-desk> shows it (the element loads it first). */
  desk: boolean;
  /** The role may set the case (a form for its code, a button to clear it). */
  canSet: boolean;
  setCase(caseId: string | null): Promise<void>;
}

export function casePanel(v: CasePanel, s: RoomStrings, lang: Lang) {
  return html`<section class="panel" aria-labelledby="case-heading">
    <h3 id="case-heading">${s.currentCase}</h3>
    ${v.desk ? html`<tiepdan-desk .server=${v.server} .caseId=${v.caseId!} .token=${v.token} lang=${lang}></tiepdan-desk>` : html`<p class="case">${v.caseId ?? s.caseNone}</p>`}
    ${v.canSet
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input')!;
          const value = input.value.trim();
          if (value) void v.setCase(value).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="case-id">${s.caseLabel}</label>
          <input id="case-id" pattern="[A-Za-z0-9_.:\\-]{1,128}" autocomplete="off" />
          <button type="submit" class="small">${s.caseSet}</button>
          ${v.caseId ? html`<button type="button" class="secondary small" @click=${() => void v.setCase(null).catch(() => undefined)}>${s.caseClear}</button>` : nothing}
        </form>`
      : nothing}
  </section>`;
}

export function transportPanel(c: TransportChoice | undefined, s: RoomStrings, lang: Lang) {
  return html`<section class="panel" aria-labelledby="transport-heading">
    <h3 id="transport-heading">${s.transport}</h3>
    <p class="transport">${c ? html`<strong>${s[`transport_${c.kind}`]}</strong>: ${say(c.reason, lang)}` : '—'}</p>
  </section>`;
}

export function healthPanel(points: PointHealth[], s: RoomStrings) {
  if (points.length === 0) return nothing;
  return html`<section class="panel" aria-labelledby="health-heading">
    <h3 id="health-heading">${s.health}</h3>
    ${points.map(
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

export interface ChatPanel {
  chat: ChatLine[];
  /** The role may write (observers read only). */
  canSend: boolean;
  send(text: string): Promise<void>;
}

export function chatPanel(v: ChatPanel, s: RoomStrings) {
  return html`<section class="panel chat" aria-labelledby="chat-heading">
    <h3 id="chat-heading">${s.chat}</h3>
    ${v.chat.length === 0 ? html`<p>${s.chatEmpty}</p>` : nothing}
    <ol class="messages" aria-live="polite">
      ${v.chat.map((m) => html`<li class=${m.mine ? 'mine' : ''}><strong>${m.name}</strong> <span class="hint-inline">${formatTime(m.at)}</span><br />${m.text}</li>`)}
    </ol>
    ${v.canSend
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input')!;
          const text = input.value.trim();
          if (text) void v.send(text).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="chat-input">${s.chatMessage}</label>
          <input id="chat-input" autocomplete="off" maxlength="2000" />
          <button type="submit" class="small">${s.chatSend}</button>
        </form>`
      : nothing}
  </section>`;
}
