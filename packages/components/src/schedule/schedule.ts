/** Registers <tiepdan-schedule>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanSchedule } from './schedule.component.js';

define('tiepdan-schedule', TiepdanSchedule);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-schedule': TiepdanSchedule;
  }
}

export { TiepdanSchedule };
