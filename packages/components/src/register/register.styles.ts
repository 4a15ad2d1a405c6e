import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const registerStyles = [
  baseStyles,
  css`
    :host { max-width: 60em; }
    .filters { display: flex; flex-wrap: wrap; gap: 0 1em; align-items: flex-end; }
    .filters .field { flex: 1 1 11em; }
    ol.lines { list-style: none; padding: 0; margin: 0 0 1em; }
    .line { border: 2px solid #b1b4b6; border-radius: var(--_radius); padding: 0.75em; margin-bottom: 0.75em; }
    .line h3 { margin: 0 0 0.25em; font-size: 1.05em; }
    .meta { color: var(--_muted); margin: 0 0 0.5em; }
    .line p { margin: 0 0 0.5em; }
    .deadline.overdue { border-color: #d4351c; border-left-width: 6px; }
    .deadline.due { border-color: #b35c00; border-left-width: 6px; }
    .opened { border: 3px solid var(--_primary); border-radius: var(--_radius); padding: 0.75em; margin-bottom: 1em; }
  `,
];
