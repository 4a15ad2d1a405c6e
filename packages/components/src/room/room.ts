/** Registers <tiepdan-room>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanRoom } from './room.component.js';

define('tiepdan-room', TiepdanRoom);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-room': TiepdanRoom;
  }
}

export { TiepdanRoom };
