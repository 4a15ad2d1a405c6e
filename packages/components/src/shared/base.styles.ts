/**
 * Styles shared by our elements. They live in the shadow root (adoptedStyleSheets, so a strict CSP needs no
 * 'unsafe-inline'), reset what the host page's CSS could leak in by inheritance, and read --tiepdan-* custom
 * properties for theming. Sizes are in em so the page zoom and --tiepdan-font-size scale everything; no fixed
 * widths, so a 320 px screen at 200 % zoom has no horizontal scroll.
 */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    all: initial;
    display: block;
    box-sizing: border-box;
    max-width: 42em;
    font-family: var(--tiepdan-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif);
    font-size: var(--tiepdan-font-size, 18px);
    line-height: 1.5;
    color: var(--tiepdan-color-text, #0b0c0c);
    overflow-wrap: anywhere;
    --_primary: var(--tiepdan-color-primary, #005ea5);
    --_error: var(--tiepdan-color-error, #b3261e);
    --_focus: var(--tiepdan-focus-color, #ffbf47);
    --_radius: var(--tiepdan-radius, 4px);
    --_muted: #505a5f;
  }
  :host([hidden]) { display: none; }
  /* Not 'inherit': content slotted through a UA shadow root (details) would inherit content-box from its slot. */
  *, *::before, *::after { box-sizing: border-box; }
  h2 { font-size: 1.5em; line-height: 1.25; margin: 0 0 0.75em; }
  h3 { font-size: 1.15em; margin: 1em 0 0.5em; }
  p { margin: 0 0 1em; }
  h2:focus { outline: none; }
  form { margin: 0; }
  fieldset { border: 0; padding: 0; margin: 0 0 1.25em; min-width: 0; }
  legend { font-weight: 700; padding: 0; margin-bottom: 0.25em; }
  .field { margin-bottom: 1.25em; }
  .field.invalid { border-left: 4px solid var(--_error); padding-left: 0.75em; }
  label, .label { display: block; font-weight: 700; margin-bottom: 0.25em; }
  .hint { display: block; color: var(--_muted); margin-bottom: 0.25em; }
  .error-message { display: block; color: var(--_error); font-weight: 700; margin-bottom: 0.25em; }
  input, select, textarea, button { font: inherit; color: inherit; }
  input:not([type='radio'], [type='checkbox'], [type='file']), select, textarea {
    display: block; width: 100%; max-width: 100%; min-height: 2.75em;
    padding: 0.4em 0.5em; border: 2px solid #0b0c0c; border-radius: var(--_radius); background: #fff;
  }
  textarea { min-height: 8em; resize: vertical; }
  [aria-invalid='true'] { border-color: var(--_error) !important; }
  .choice { display: flex; align-items: flex-start; gap: 0.6em; margin-bottom: 0.6em; min-height: 2.75em; }
  .choice input { width: 1.6em; height: 1.6em; margin: 0.1em 0 0; flex: none; accent-color: var(--_primary); }
  .choice label { font-weight: 400; margin: 0; padding-top: 0.05em; }
  .choice .hint { margin: 0; }
  button, .button {
    display: inline-flex; align-items: center; justify-content: center; gap: 0.4em;
    min-height: 2.75em; min-width: 2.75em; padding: 0.4em 1em; margin: 0 0.5em 0.75em 0;
    border: 2px solid transparent; border-radius: var(--_radius); cursor: pointer;
    background: var(--_primary); color: #fff; font-weight: 700; text-align: center; max-width: 100%;
  }
  .secondary { background: #f3f2f1; color: #0b0c0c; border-color: #0b0c0c; }
  .link {
    background: none; color: var(--_primary); border: 0; padding: 0.25em 0; min-width: 0;
    text-decoration: underline; font-weight: 400; margin: 0;
  }
  button[disabled] { opacity: 0.6; cursor: not-allowed; }
  :focus-visible, .file:focus-within { outline: 3px solid var(--_focus); outline-offset: 0; box-shadow: 0 0 0 5px #0b0c0c; }
  a { color: var(--_primary); }
  .error-summary { border: 4px solid var(--_error); padding: 1em; margin-bottom: 1.5em; }
  .error-summary h2 { font-size: 1.25em; }
  .error-summary ul { margin: 0; padding-left: 1.25em; }
  .error-summary a { color: var(--_error); font-weight: 700; }
  .status { color: var(--_muted); min-height: 1.5em; margin: 0.5em 0; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .panel { border: 2px solid #b1b4b6; padding: 1em; margin-bottom: 1em; border-radius: var(--_radius); }
  @media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; scroll-behavior: auto !important; } }
  @media (forced-colors: active) { button, .button { border-color: ButtonText; } }
`;
