import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const deskStyles = [
  baseStyles,
  css`
    :host { max-width: 48em; }
    section.step { border-top: 2px solid #b1b4b6; padding-top: 0.5em; margin-bottom: 1em; }
    .done { border-left: 6px solid #00703c; padding: 0.25em 0.75em; margin: 0 0 0.75em; }
    .stamp { display: block; color: var(--_muted); font-size: 0.9em; }
    dl { display: grid; grid-template-columns: minmax(7em, 30%) 1fr; gap: 0.25em 1em; margin: 0 0 1em; }
    dt { font-weight: 700; }
    dd { margin: 0; white-space: pre-wrap; }
    @media (max-width: 30em) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.5em; } }
    .item { display: flex; flex-wrap: wrap; gap: 0 1em; align-items: flex-end; }
    .item .field { flex: 1 1 10em; }
    .item .field.pages { flex: 0 1 7em; }
    .papers button { margin-bottom: 0.5em; }
    code { overflow-wrap: anywhere; }
    .danger { background: var(--_error); }
    .hint-inline { color: var(--_muted); font-weight: 400; }
  `,
];
