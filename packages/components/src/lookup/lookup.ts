/** Registers `<tiepdan-lookup>` (guarded: a second copy of the script does not throw). */
import { define } from '../shared/define.js';
import { TiepdanLookup } from './lookup.component.js';

define('tiepdan-lookup', TiepdanLookup);

export { TiepdanLookup };
