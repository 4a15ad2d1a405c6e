/** Registers `<tiepdan-registration>` (guarded: a second copy of the script does not throw). */
import { define } from '../shared/define.js';
import { TiepdanRegistration } from './registration.component.js';

define('tiepdan-registration', TiepdanRegistration);

export { TiepdanRegistration };
