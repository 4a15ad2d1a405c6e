/** Styles specific to the lookup: the result panel and the history list. */
import { css } from 'lit';

export const lookupStyles = css`
  .result { border-left: 6px solid var(--_primary); padding-left: 0.75em; margin-top: 1.5em; }
  .state { font-size: 1.25em; font-weight: 700; }
  ol.history { padding-left: 1.25em; margin: 0 0 1em; }
  ol.history li { margin-bottom: 0.5em; }
  time { color: var(--_muted); display: block; }
`;
