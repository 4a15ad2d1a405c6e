/** The one script a ward's page includes: registers every tiepdan element. Safe to load twice. */
import './registration/registration.js';
import './lookup/lookup.js';
import './screening/screening.js';
import './schedule/schedule.js';
import './schedule-editor/schedule-editor.js';
import './room/room.js';
import './recorder/recorder.js';

export * from './index.js';
