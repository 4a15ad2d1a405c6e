/** Styles specific to the registration form: progress caption, back link, summary list, reference code box. */
import { css } from 'lit';

export const registrationStyles = css`
  .step-of { color: var(--_muted); margin: 0 0 0.25em; }
  .back { margin-bottom: 1em; }
  .back::before { content: '‹ '; }
  .hint-inline { font-weight: 400; color: var(--_muted); }
  .notice { border-left: 4px solid #b1b4b6; padding-left: 0.75em; margin-bottom: 1.25em; }
  details summary { cursor: pointer; color: var(--_primary); text-decoration: underline; min-height: 2.75em; padding: 0.4em 0; }
  details[open] summary { margin-bottom: 0.75em; }
  .file-buttons { display: flex; flex-wrap: wrap; }
  .file { position: relative; }
  dl.summary { margin: 0 0 1.5em; }
  dl.summary .row { display: flex; flex-wrap: wrap; gap: 0 1em; border-bottom: 1px solid #b1b4b6; padding: 0.6em 0; }
  dl.summary dt { font-weight: 700; flex: 1 1 12em; }
  dl.summary dd { margin: 0; flex: 2 1 14em; white-space: pre-line; }
  dl.summary dd.action { flex: 0 0 auto; }
  .confirmation .reference-box { background: var(--_primary); color: #fff; padding: 1em; border-radius: var(--_radius); margin-bottom: 1em; text-align: center; }
  .reference { font-size: 1.75em; font-weight: 700; letter-spacing: 0.05em; user-select: all; margin: 0.25em 0; font-variant-numeric: tabular-nums; }
  .reference-box button { background: #fff; color: #0b0c0c; }
  .queued { border-left: 6px solid var(--_primary); padding-left: 0.75em; }
  progress { width: 100%; height: 1em; }
`;
