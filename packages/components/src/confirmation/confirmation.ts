/** Registers <tiepdan-confirmation>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanConfirmation } from './confirmation.component.js';

define('tiepdan-confirmation', TiepdanConfirmation);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-confirmation': TiepdanConfirmation;
  }
}

export { TiepdanConfirmation };
