// The join link carries the session and, for officials at a connection point, the point, in the URL fragment
// (never sent to a server); the token is a citizen's join token or an official's from the link, or comes from
// <tiepdan-sign-in> when an official opens the page without one. No inline script (strict CSP).
// #session=…[&token=…][&point=id&pointName=…&unit=…][&lang=en]
import { useOfficialToken } from './officials-session.js';

const params = new URLSearchParams(location.hash.slice(1));
customElements.whenDefined('tiepdan-room').then(() => {
  const room = document.querySelector('tiepdan-room');
  if (params.get('lang')) room.setAttribute('lang', params.get('lang'));
  if (params.get('point')) room.point = { id: params.get('point'), name: params.get('pointName') || params.get('point'), unit: params.get('unit') || 'dongthap.sadec' };
  room.session = params.get('session') ?? '';
});
useOfficialToken('tiepdan-room', (room, token) => {
  // A renewed token is used at the next (re)connection; the room stays as it is.
  room.token = token;
});
if (params.get('token')) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}#${params}`);
}
