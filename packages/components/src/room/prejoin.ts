/**
 * The pre-join view: who is joining from where, the camera preview and the microphone level, the device
 * pickers, the network check, and the recording and privacy notice that must be acknowledged before joining.
 * A plain render function, as the room's other views (views.ts): `prejoinView(model, handlers)`.
 */
import { html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { fmt } from '../shared/lang.js';
import type { DeviceLists, NetworkCheck } from './devices.js';
import type { RoomStrings } from './strings.js';

/** What the pre-join shows (the room's view model is one). */
export interface PrejoinModel {
  s: RoomStrings;
  /** Who is joining, as their token says. */
  name: string | undefined;
  /** The connection point this client runs, if any. */
  point: { name: string } | undefined;
  /** Server, session or token is missing: nobody can join. */
  missing: boolean;
  acknowledged: boolean;
  noticeError: boolean;
  /** `connecting` while the join is under way. */
  session: { view: string };
  media: PrejoinMedia;
}

/** This device's side of the pre-join (the room's media controller is one). */
export interface PrejoinMedia {
  devices: DeviceLists;
  cameraId: string;
  microphoneId: string;
  localStream: MediaStream | undefined;
  devicesFailed: boolean;
  level: number;
  network: NetworkCheck | 'checking' | 'failed' | undefined;
  /** `video`: joining with the camera off (the advice on a weak line; the citizen may change it). */
  muted: { audio: boolean; video: boolean };
}

export interface PrejoinHandlers {
  acknowledge(checked: boolean): void;
  join(): void;
  pickCameraOff(off: boolean): void;
  pickCamera(id: string): void;
  pickMicrophone(id: string): void;
  checkNetwork(): void;
}

export function prejoinView(v: PrejoinModel, h: PrejoinHandlers) {
  const { s, media: m } = v;
  const net = m.network;
  const stream = m.localStream ?? null;
  const connecting = v.session.view === 'connecting';
  return html`<section class="prejoin" aria-labelledby="prejoin-heading">
    <h2 id="prejoin-heading">${s.prejoinHeading}</h2>
    ${v.missing ? html`<p class="notice">${s.missing}</p>` : nothing}
    <dl class="who">
      <dt>${s.youAre}</dt><dd>${v.name ?? '—'}</dd>
      <dt>${s.point}</dt><dd>${v.point?.name ?? s.noPoint}</dd>
    </dl>
    <div class="prejoin-grid">
      <div class="preview">
        <video class="mirror" aria-label=${s.preview} .srcObject=${guard([stream], () => stream)} autoplay playsinline .muted=${true}></video>
        <label for="level">${s.micLevel}</label>
        <meter id="level" min="0" max="1" low="0.05" .value=${m.level} aria-describedby="level-hint"></meter>
        <span class="hint" id="level-hint">${s.micHint}</span>
      </div>
      <div>
        ${m.devicesFailed ? html`<p class="notice">${s.devicesFailed}</p>` : nothing}
        <div class="field">
          <label for="camera">${s.camera}</label>
          <select id="camera" @change=${(e: Event) => h.pickCamera((e.target as HTMLSelectElement).value)}>
            ${m.devices.cameras.length === 0 ? html`<option value="">${s.noDevice}</option>` : nothing}
            ${m.devices.cameras.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === m.cameraId}>${d.label || `${s.camera} ${i + 1}`}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="microphone">${s.microphone}</label>
          <select id="microphone" @change=${(e: Event) => h.pickMicrophone((e.target as HTMLSelectElement).value)}>
            ${m.devices.microphones.length === 0 ? html`<option value="">${s.noDevice}</option>` : nothing}
            ${m.devices.microphones.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === m.microphoneId}>${d.label || `${s.microphone} ${i + 1}`}</option>`)}
          </select>
        </div>
        <h3>${s.network}</h3>
        <div class="network" aria-live="polite">
          ${net === 'checking' || net === undefined
            ? html`<p>${s.networkChecking}</p>`
            : net === 'failed'
              ? html`<p>${s.networkFailed}</p>`
              : html`<p>${fmt(s.networkResult, { quality: s[`qualities_${net.quality}`], rtt: net.rttMs })}
                    ${net.downKbps !== undefined && net.upKbps !== undefined ? fmt(s.networkRates, { down: net.downKbps, up: net.upKbps }) : nothing}</p>
                  <p class="advice advice-${net.advice}">${s[`advice_${net.advice}`]}</p>`}
        </div>
        <div class="choice">
          <input type="checkbox" id="camera-off" .checked=${m.muted.video} @change=${(e: Event) => h.pickCameraOff((e.target as HTMLInputElement).checked)} />
          <label for="camera-off">${s.audioOnlyChoice}</label>
        </div>
        <button type="button" class="secondary" @click=${() => h.checkNetwork()} ?disabled=${net === 'checking'}>${s.networkAgain}</button>
      </div>
    </div>
    <div class="notice-box">
      <h3 id="notice-heading">${s.noticeHeading}</h3>
      <ul id="notice-text">${[s.noticeWhat, s.noticeWhy, s.noticeWho, s.noticeKept, s.noticeData].map((line) => html`<li>${line}</li>`)}</ul>
      <div class="field ${v.noticeError ? 'invalid' : ''}">
        ${v.noticeError ? html`<span class="error-message" id="notice-error">${s.noticeRequired}</span>` : nothing}
        <div class="choice">
          <input type="checkbox" id="notice-ack" .checked=${v.acknowledged} aria-invalid=${v.noticeError ? 'true' : 'false'}
            aria-describedby=${v.noticeError ? 'notice-text notice-error' : 'notice-text'}
            @change=${(e: Event) => h.acknowledge((e.target as HTMLInputElement).checked)} />
          <label for="notice-ack">${s.noticeAck}</label>
        </div>
      </div>
    </div>
    <button part="button" type="button" id="join" ?disabled=${connecting} @click=${() => h.join()}>${connecting ? s.joining : s.join}</button>
  </section>`;
}
