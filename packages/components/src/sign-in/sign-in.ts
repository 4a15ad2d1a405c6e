/** Registers `<tiepdan-sign-in>` (guarded: a second copy of the script does not throw). */
import { define } from '../shared/define.js';
import { TiepdanSignIn } from './sign-in.component.js';

define('tiepdan-sign-in', TiepdanSignIn);

export { TiepdanSignIn };
