// The reception register (Form 03) for officials: the token comes from <tiepdan-sign-in> or the demo link's fragment.
import { useOfficialToken } from './officials-session.js';

useOfficialToken('tiepdan-register');
if (location.hash.includes('token=')) history.replaceState(null, '', location.pathname);
