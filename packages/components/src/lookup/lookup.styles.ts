/** Styles specific to the lookup: the result panel and the history list. */
import { css } from 'lit';

export const lookupStyles = css`
  .result { border-left: 6px solid var(--_primary); padding-left: 0.75em; margin-top: 1.5em; }
  .state { font-size: 1.25em; font-weight: 700; }
  ol.history { padding-left: 1.25em; margin: 0 0 1em; }
  ol.history li { margin-bottom: 0.5em; }
  time { color: var(--_muted); display: block; }
  .booking { margin: 1em 0; }
  .case-outcome { margin: 0.75em 0; padding-left: 0.75em; border-left: 4px solid var(--_primary); }
  .case-outcome .hint { color: var(--_muted); }
  .session-state { font-weight: 700; padding: 0.25em 0.5em; border-left: 6px solid; }
  .session-state.postponed { border-color: #8a5a00; background: #fff4e0; }
  .session-state.cancelled { border-color: var(--_error, #b3261e); background: #fdecea; }
  a.join { display: inline-block; padding: 0.5em 1em; background: var(--_primary); color: #fff; border-radius: var(--_radius); font-weight: 700; text-decoration: none; }
  a.join:focus-visible { outline: 3px solid var(--_focus, #ffbf47); outline-offset: 2px; }
`;
