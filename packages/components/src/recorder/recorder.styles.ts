import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const recorderStyles = [
  baseStyles,
  css`
    .state { font-weight: 700; font-size: 1.1em; padding-left: 0.75em; border-left: 6px solid var(--_muted); }
    .state.active { border-color: #b3261e; }
    .state.standby { border-color: var(--_primary); }
    .dot { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; background: #b3261e; margin-right: 0.4em; vertical-align: middle; }
    .progress { margin: 0 0 0.75em; }
    .behind { color: var(--_error); font-weight: 700; }
    .alarm { border-left: 6px solid var(--_error); padding: 0.5em 0.75em; background: #fdf2f2; color: #0b0c0c; font-weight: 700; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1em; margin: 0 0 1em; }
    dt { color: var(--_muted); }
    dd { margin: 0; }
    .preview canvas { width: 100%; max-width: 32em; height: auto; display: block; background: #111; }
    button { font: inherit; padding: 0.4em 0.9em; border: 2px solid var(--_primary); border-radius: var(--_radius); background: #fff; color: var(--_primary); cursor: pointer; }
    button:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
  `,
];
