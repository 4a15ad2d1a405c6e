/** Registers <tiepdan-schedule-editor>; safe to load twice. */
import { define } from '../shared/define.js';
import { TiepdanScheduleEditor } from './schedule-editor.component.js';

define('tiepdan-schedule-editor', TiepdanScheduleEditor);

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-schedule-editor': TiepdanScheduleEditor;
  }
}

export { TiepdanScheduleEditor };
