// The recorder of a connection point, on a page of its own (a spare laptop at the point keeps it open all day).
// The official at the point signs the machine in once with <tiepdan-sign-in device-label=…>: the machine gets a
// recording-only device credential for the working day. Demo links may carry a token instead.
// #session=…[&token=…][&recorderId=…][&point=id&pointName=…][&label=…][&lang=en]; the fragment never reaches a server.
import { useOfficialToken } from './officials-session.js';

const params = new URLSearchParams(location.hash.slice(1));
customElements.whenDefined('tiepdan-recorder').then(() => {
  const recorder = document.querySelector('tiepdan-recorder');
  for (const [param, attr] of [['lang', 'lang'], ['recorderId', 'recorder-id'], ['point', 'point'], ['pointName', 'point-name'], ['label', 'label']]) {
    if (params.get(param)) recorder.setAttribute(attr, params.get(param));
  }
  recorder.session = params.get('session') ?? '';
});
useOfficialToken('tiepdan-recorder', (recorder, token) => {
  // The device credential is set once for the day; setting the same token again would restart the recorder.
  if (recorder.token !== token) recorder.token = token;
});
if (params.get('token')) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}#${params}`);
}
