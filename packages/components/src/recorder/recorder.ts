/** Registers <tiepdan-recorder>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanRecorder } from './recorder.component.js';

define('tiepdan-recorder', TiepdanRecorder);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-recorder': TiepdanRecorder;
  }
}

export { TiepdanRecorder };
