/** Registers <tiepdan-desk>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanDesk } from './desk.component.js';

define('tiepdan-desk', TiepdanDesk);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-desk': TiepdanDesk;
  }
}

export { TiepdanDesk };
