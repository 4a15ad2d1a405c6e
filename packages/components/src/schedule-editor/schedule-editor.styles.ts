import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const editorStyles = [
  baseStyles,
  css`
    :host { max-width: 48em; --_warn: var(--tiepdan-color-warning, #b35c00); }
    form { border: 2px solid #b1b4b6; border-radius: var(--_radius); padding: 1em; margin-bottom: 1.5em; }
    h3 { margin-top: 0; }
    h4 { font-size: 1.05em; margin: 0 0 0.5em; }
    .row { display: flex; flex-wrap: wrap; gap: 0 1em; }
    .row > .field { flex: 1 1 10em; }
    .preview { border-left: 6px solid var(--_primary); background: #f3f7fb; padding: 0.75em 1em; margin-bottom: 1em; }
    ol.dates { padding-left: 1.5em; margin: 0 0 0.5em; }
    .moved { font-style: italic; }
    li.shifted strong { text-decoration: underline dotted; }
    .warnings { border: 3px solid var(--_warn); padding: 0.5em 1em; background: #fff; }
    .warnings ul { margin: 0; padding-left: 1.25em; }
    .notice { border-left: 6px solid var(--_primary); padding: 0.5em 1em; background: #f3f7fb; }
  `,
];
