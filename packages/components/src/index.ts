/**
 * @tiepdan/components: the element classes and helpers, without registering anything. Register them with
 * `tiepdan.js` (the one script tag), the per-element define modules, or under your own tag names.
 */
export { TiepdanRegistration, metaCacheKey } from './registration/registration.component.js';
export { TiepdanLookup } from './lookup/lookup.component.js';
export { TiepdanScreening } from './screening/screening.component.js';
export { TiepdanSchedule, isBookable, type ScheduleView } from './schedule/schedule.component.js';
export { TiepdanScheduleEditor } from './schedule-editor/schedule-editor.component.js';
export { TiepdanRoom, RoomActionError, type RoomView, type RoomRecordingState, type RoomRecording } from './room/room.component.js';
export { TiepdanRecorder } from './recorder/recorder.component.js';
export { TiepdanSignIn } from './sign-in/sign-in.component.js';
export { TiepdanDesk } from './desk/desk.component.js';
export { TiepdanRegister } from './register/register.component.js';
export { TiepdanConfirmation } from './confirmation/confirmation.component.js';
export { define } from './shared/define.js';
export { emit, type TiepdanEventDetails, type TiepdanEventName, type TiepdanEvent } from './shared/events.js';
export { strings, type UiStrings } from './shared/strings.js';
export { VERSION } from './shared/version.js';
