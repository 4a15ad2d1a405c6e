// The schedule editor for officials: the token comes from <tiepdan-sign-in> or the demo link's fragment. A
// published series or a cancellation refreshes the public schedule below at once instead of waiting for its poll.
import { useOfficialToken } from './officials-session.js';

useOfficialToken('tiepdan-schedule-editor');
if (location.hash.includes('token=')) history.replaceState(null, '', location.pathname);
const refresh = () => document.querySelector('tiepdan-schedule')?.refresh?.();
document.addEventListener('tiepdan-series-published', refresh);
document.addEventListener('tiepdan-session-changed', refresh);
