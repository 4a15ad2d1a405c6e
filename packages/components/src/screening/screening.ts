/** Registers <tiepdan-screening>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanScreening } from './screening.component.js';

define('tiepdan-screening', TiepdanScreening);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-screening': TiepdanScreening;
  }
}

export { TiepdanScreening };
