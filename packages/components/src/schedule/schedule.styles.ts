import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const scheduleStyles = [
  baseStyles,
  css`
    :host { max-width: 60em; --_off: var(--tiepdan-color-cancelled, #b3261e); --_moved: var(--tiepdan-color-postponed, #8a5a00); }
    .header { display: flex; flex-wrap: wrap; align-items: center; gap: 0 1em; }
    .header h2 { margin: 0 auto 0.5em 0; }
    .nav button { margin-bottom: 0.5em; }
    .views { display: flex; gap: 1em; margin-bottom: 0.5em; }
    .views .link[aria-pressed='true'] { font-weight: 700; text-decoration: none; border-bottom: 3px solid currentColor; }
    table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-bottom: 1em; }
    th { font-weight: 700; padding: 0.25em 0; text-align: center; }
    td { border: 1px solid #b1b4b6; vertical-align: top; height: 4.5em; padding: 0.2em; overflow: hidden; }
    td.outside { background: #f3f2f1; }
    td.day { cursor: pointer; }
    td.day:focus-visible { outline-offset: -3px; }
    td.today .num { background: var(--_primary); color: #fff; border-radius: 50%; }
    td[aria-selected='true'] { box-shadow: inset 0 0 0 3px var(--_primary); }
    .num { display: inline-block; min-width: 1.6em; text-align: center; font-weight: 700; }
    .chips { display: flex; flex-direction: column; gap: 0.1em; font-size: 0.75em; line-height: 1.25; }
    .chip { display: block; border-left: 3px solid var(--_primary); padding-left: 0.2em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .chip.cancelled { border-left-color: var(--_off); color: var(--_off); }
    .chip.postponed { border-left-color: var(--_moved); color: var(--_moved); border-left-style: double; }
    .chip.struck { text-decoration: line-through; }
    .chip.more { border: 0; color: var(--_muted); }
    .mark { text-decoration: none; font-weight: 700; }
    ul.sessions { list-style: none; padding: 0; margin: 0 0 1em; }
    .session { border: 2px solid #b1b4b6; border-left-width: 6px; border-radius: var(--_radius); padding: 0.5em 0.75em; margin-bottom: 0.75em; }
    .session p { margin: 0 0 0.25em; }
    .session.open { border-left-color: var(--_primary); }
    .session.cancelled { border-left-color: var(--_off); border-style: dashed; }
    .session.postponed { border-left-color: var(--_moved); border-left-style: double; background: #fff8ec; }
    .session.struck .time { text-decoration: line-through; }
    .moved { font-weight: 700; color: var(--_moved); }
    .session.chosen { border-color: var(--_primary); border-width: 3px 3px 3px 6px; }
    .state { display: inline-block; margin-left: 0.5em; padding: 0 0.4em; border: 2px solid currentColor; border-radius: var(--_radius); font-weight: 700; }
    .state.cancelled { color: var(--_off); }
    .state.postponed { color: var(--_moved); }
    .meta { color: var(--_muted); }
    .places { font-weight: 700; }
    .notice { border-left: 4px solid var(--_off); padding-left: 0.5em; }
    .list-day h3 { margin-top: 0.5em; }
    .day-detail { border-top: 2px solid #b1b4b6; padding-top: 0.5em; }
    @media (forced-colors: active) { td[aria-selected='true'] { outline: 3px solid Highlight; } }
  `,
];
