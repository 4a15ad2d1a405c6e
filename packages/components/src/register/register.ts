/** Registers <tiepdan-register>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanRegister } from './register.component.js';

define('tiepdan-register', TiepdanRegister);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-register': TiepdanRegister;
  }
}

export { TiepdanRegister };
