import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.js';

export const screeningStyles = [
  baseStyles,
  css`
    :host { max-width: 60em; }
    .filters { display: flex; flex-wrap: wrap; gap: 0 1em; align-items: flex-end; }
    .filters .field { flex: 1 1 12em; }
    ul.items { list-style: none; padding: 0; margin: 0 0 1em; }
    .item { border: 2px solid #b1b4b6; border-radius: var(--_radius); padding: 0.75em; margin-bottom: 0.75em; }
    .item h3 { margin: 0 0 0.25em; font-size: 1.05em; }
    .meta { color: var(--_muted); margin: 0 0 0.5em; }
    .tag { display: inline-block; padding: 0 0.4em; border: 2px solid currentColor; border-radius: var(--_radius); font-weight: 700; }
    dl { display: grid; grid-template-columns: minmax(8em, 30%) 1fr; gap: 0.25em 1em; margin: 0 0 1em; }
    dt { font-weight: 700; }
    dd { margin: 0; white-space: pre-wrap; }
    @media (max-width: 30em) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.5em; } }
    .detail { border: 3px solid var(--_primary); border-radius: var(--_radius); padding: 1em; margin-bottom: 1em; }
    .notice { border-left: 6px solid var(--_primary); padding: 0.5em 1em; background: #f3f7fb; margin-bottom: 1em; }
    ol.history { padding-left: 1.25em; }
    .invite fieldset.attendance { border: 0; padding: 0; margin: 0 0 1em; }
    .choice { display: flex; gap: 0.5em; align-items: center; margin-bottom: 0.25em; }
    .preview { border: 2px solid #b1b4b6; border-radius: var(--_radius); padding: 0.75em; margin: 1em 0; }
    .preview pre.message { white-space: pre-wrap; font: inherit; margin: 0 0 1em; }
    .warning { border-left-color: var(--_error, #b3261e); }
    .delivery { border-left: 6px solid var(--_primary); padding: 0.25em 1em; margin-bottom: 1em; }
    .field-error { color: var(--_error, #b3261e); font-weight: 700; margin: 0.25em 0; }
    figure.attachment { margin: 0 0 1em; }
    figure.attachment img { max-width: 100%; height: auto; display: block; margin-bottom: 0.5em; border: 1px solid #b1b4b6; }
    code.sha { font-size: 0.85em; word-break: break-all; }
  `,
];
