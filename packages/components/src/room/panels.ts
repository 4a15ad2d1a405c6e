/**
 * The room's side panels: the lobby queue (admit, deny with a reason), the current case, the transport in use
 * and why, the connection points' health, and the chat. Plain render functions over the element's state; the
 * element's methods do the requests (and refuse what a role may not do).
 */
import { html, nothing } from 'lit';
import { canInRoom, formatTime, say, type Lang, type NetworkQuality, type PointHealth } from '@tiepdan/core';
import type { TiepdanRoom } from './room.component.js';
import type { RoomStrings } from './strings.js';

export function qualityLabel(s: RoomStrings, q: NetworkQuality | undefined): string {
  return q ? s[`qualities_${q}`] : s.qualityUnknown;
}

/**
 * The case an admission names: a code the clerk typed binds the citizen to it; a desk case (opened by the server
 * on admission) is not named, so the server opens the next citizen's own case once the previous one's citizens
 * have left or gone back to the lobby, or joins them to it while it is still being received (a group).
 * Naming the desk case bound every later citizen to the first case of the session.
 */
function admitCase(room: TiepdanRoom): string | undefined {
  return room.caseId !== null && !DESK_CASE.test(room.caseId) ? room.caseId : undefined;
}

export function lobbyPanel(room: TiepdanRoom, s: RoomStrings) {
  return html`<section class="panel" aria-labelledby="queue-heading">
    <h3 id="queue-heading">${s.lobbyList} (${room.queue.length})</h3>
    ${room.queue.length === 0 ? html`<p>${s.lobbyEmpty}</p>` : nothing}
    <ol class="queue">
      ${room.queue.map(
        (e) => html`<li data-participant=${e.participantId}>
          <span>${e.name} <span class="hint-inline">${formatTime(e.since)}</span></span>
          <button type="button" class="small" ?disabled=${room.roomState !== 'open'} @click=${() => void room.admit(e.participantId, admitCase(room)).catch(() => undefined)}>${s.admit}<span class="sr-only">: ${e.name}</span></button>
          <button type="button" class="secondary small" @click=${() => (room.denying = room.denying === e.participantId ? undefined : e.participantId)}>${s.deny}<span class="sr-only">: ${e.name}</span></button>
          ${room.denying === e.participantId
            ? html`<form class="deny" @submit=${(ev: Event) => {
                ev.preventDefault();
                const reason = (ev.target as HTMLFormElement).querySelector('textarea')!.value.trim();
                if (reason) void room.deny(e.participantId, reason).then(() => (room.denying = undefined)).catch(() => undefined);
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

/** A case the desk opened on admission (a UUID), as opposed to a code the clerk typed. */
const DESK_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

export function casePanel(room: TiepdanRoom, s: RoomStrings, lang: Lang) {
  const desk = room.caseId !== null && DESK_CASE.test(room.caseId) && canInRoom(room.roomRole!, 'lobby.manage');
  // The desk is its own element, loaded the first time a case needs it: the room's first screen stays small.
  if (desk) room.loadDesk();
  return html`<section class="panel" aria-labelledby="case-heading">
    <h3 id="case-heading">${s.currentCase}</h3>
    ${desk ? html`<tiepdan-desk .server=${room.server} .caseId=${room.caseId!} .token=${room.token} lang=${lang}></tiepdan-desk>` : html`<p class="case">${room.caseId ?? s.caseNone}</p>`}
    ${canInRoom(room.roomRole!, 'case.set')
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input')!;
          const value = input.value.trim();
          if (value) void room.setCase(value).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="case-id">${s.caseLabel}</label>
          <input id="case-id" pattern="[A-Za-z0-9_.:\\-]{1,128}" autocomplete="off" />
          <button type="submit" class="small">${s.caseSet}</button>
          ${room.caseId ? html`<button type="button" class="secondary small" @click=${() => void room.setCase(null).catch(() => undefined)}>${s.caseClear}</button>` : nothing}
        </form>`
      : nothing}
  </section>`;
}

export function transportPanel(room: TiepdanRoom, s: RoomStrings, lang: Lang) {
  const c = room.transportChoice;
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

export function chatPanel(room: TiepdanRoom, s: RoomStrings) {
  return html`<section class="panel chat" aria-labelledby="chat-heading">
    <h3 id="chat-heading">${s.chat}</h3>
    ${room.chat.length === 0 ? html`<p>${s.chatEmpty}</p>` : nothing}
    <ol class="messages" aria-live="polite">
      ${room.chat.map((m) => html`<li class=${m.mine ? 'mine' : ''}><strong>${m.name}</strong> <span class="hint-inline">${formatTime(m.at)}</span><br />${m.text}</li>`)}
    </ol>
    ${canInRoom(room.roomRole!, 'chat.send')
      ? html`<form class="inline" @submit=${(ev: Event) => {
          ev.preventDefault();
          const input = (ev.target as HTMLFormElement).querySelector('input')!;
          const text = input.value.trim();
          if (text) void room.sendChat(text).then(() => (input.value = '')).catch(() => undefined);
        }}>
          <label for="chat-input">${s.chatMessage}</label>
          <input id="chat-input" autocomplete="off" maxlength="2000" />
          <button type="submit" class="small">${s.chatSend}</button>
        </form>`
      : nothing}
  </section>`;
}
