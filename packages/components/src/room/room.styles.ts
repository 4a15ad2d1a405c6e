import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const roomStyles = [
  baseStyles,
  css`
    :host { max-width: none; }
    :host([theme='dark']) { color: #f3f2f1; background: #0b0c0c; --_muted: #c8cbcc; }
    :host([theme='dark']) .panel, :host([theme='dark']) .notice-box { border-color: #6f777b; }
    /* Text colours that keep 4.5:1 on the dark background (buttons keep their own backgrounds). */
    :host([theme='dark']) .tags { color: #85d99a; }
    :host([theme='dark']) .quality.q-poor, :host([theme='dark']) .quality.q-lost, :host([theme='dark']) .recording.on,
    :host([theme='dark']) .recording .alarm, :host([theme='dark']) .error-message { color: #ff9e97; }
    :host([theme='dark']) .recording.on .dot { background: #ff9e97; }
    :host([theme='dark']) a, :host([theme='dark']) .link { color: #8fc7ff; }
    :host([theme='dark']) .error-summary { background: #fff; color: #0b0c0c; }
    :host([theme='screen']) { font-size: var(--tiepdan-font-size, 22px); }
    .banner { position: sticky; top: 0; z-index: 2; background: #ffdd00; color: #0b0c0c; padding: 0.6em 1em; font-weight: 700; margin-bottom: 0.75em; }
    .notice, .notice-box { border-left: 6px solid var(--_primary); padding: 0.5em 1em; background: #f3f7fb; color: #0b0c0c; margin-bottom: 1em; }
    /* A weak line's advice stands out by its border and weight, not by colour alone. */
    .advice-low-video, .advice-audio-only { border-left: 6px solid #b45309; padding-left: 0.5em; font-weight: bold; }
    .who { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1em; margin: 0 0 1em; }
    .who dt { font-weight: 700; }
    .who dd { margin: 0; }
    .prejoin-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 16em), 1fr)); gap: 1em; margin-bottom: 1em; }
    video { display: block; width: 100%; aspect-ratio: 16 / 9; background: #1d1d1b; border-radius: var(--_radius); object-fit: cover; }
    video.mirror { transform: scaleX(-1); }
    video.small { max-width: 20em; margin-bottom: 1em; }
    video.screen { object-fit: contain; margin-top: 0.25em; }
    meter { display: block; width: 100%; height: 1.25em; margin-bottom: 0.25em; }
    .hint-inline { color: var(--_muted); font-weight: 400; }
    .recording { display: inline-flex; align-items: center; gap: 0.5em; padding: 0.25em 0.75em; border: 2px solid currentColor; border-radius: 2em; font-weight: 700; margin: 0 0 0.75em; }
    .recording .dot { width: 0.8em; height: 0.8em; border-radius: 50%; background: #505a5f; flex: none; }
    .recording.on { color: #b3261e; }
    .recording.on .dot { background: #b3261e; }
    .recording .alarm { color: var(--_error); }
    .top { display: flex; flex-wrap: wrap; gap: 0 1em; align-items: baseline; justify-content: space-between; }
    .tiles { list-style: none; padding: 0; margin: 0 0 1em; display: grid; gap: 0.75em;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 14em), 1fr)); }
    :host([theme='screen']) .tiles { grid-template-columns: repeat(auto-fill, minmax(min(100%, 24em), 1fr)); }
    .tile { border: 3px solid #b1b4b6; border-radius: var(--_radius); padding: 0.25em; min-width: 0; }
    .tile.speaking { border-color: #00703c; }
    .tile.floor { border-color: var(--_primary); }
    .label { display: flex; flex-direction: column; gap: 0.1em; padding: 0.25em; }
    .tags { color: #00703c; font-weight: 700; }
    .quality.q-poor, .quality.q-lost { color: var(--_error); font-weight: 700; }
    .controls { display: flex; flex-wrap: wrap; gap: 0 0.25em; margin-bottom: 1em; }
    .danger { background: var(--_error); }
    button.small { min-height: 2.75em; padding: 0.25em 0.75em; font-size: 0.9em; }
    .panels { display: grid; gap: 1em; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20em), 1fr)); align-items: start; }
    .panel h3 { margin-top: 0; }
    .panel h4 { margin: 0.5em 0 0.25em; }
    ol.queue, ol.messages { padding-left: 1.25em; margin: 0 0 1em; }
    ol.queue li { margin-bottom: 0.75em; }
    ol.messages { max-height: 16em; overflow-y: auto; list-style: none; padding: 0; }
    ol.messages li { margin-bottom: 0.5em; overflow-wrap: anywhere; }
    form.inline input { margin-bottom: 0.5em; }
    form.deny textarea { min-height: 4em; margin-bottom: 0.5em; }
    dl.health { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0; }
    dl.health dt { font-weight: 700; }
    dl.health dd { margin: 0; }
    .end h2 { margin-top: 0.5em; }
  `,
];
