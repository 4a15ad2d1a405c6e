/** Styles specific to the sign-in: a narrow form, the signed-in bar. */
import { css } from 'lit';

export const signInStyles = css`
  form, .signed-in { max-width: 28em; }
  .signed-in { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25em 1em; }
  .signed-in p { margin: 0; }
  .who { font-weight: 700; }
  .or { margin: 0.5em 0 1em; color: var(--_muted); }
  .notice { border-left: 6px solid var(--_primary); padding-left: 0.75em; }
`;
