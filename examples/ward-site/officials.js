// The screening queue for officials: the token comes from <tiepdan-sign-in> or the demo link's fragment.
import { useOfficialToken } from './officials-session.js';

useOfficialToken('tiepdan-screening');
if (location.hash.includes('token=')) history.replaceState(null, '', location.pathname);
