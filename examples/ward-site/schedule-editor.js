// The demo hands the official's token in the URL fragment (never sent to a server); a real deployment gets it
// from its sign-in. The token goes into the element's property, not into markup. A published series or a
// cancellation refreshes the public schedule below at once instead of waiting for its next poll.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (token) {
  history.replaceState(null, '', location.pathname);
  customElements.whenDefined('tiepdan-schedule-editor').then(() => {
    document.querySelector('tiepdan-schedule-editor').token = token;
  });
}
const refresh = () => document.querySelector('tiepdan-schedule')?.refresh?.();
document.addEventListener('tiepdan-series-published', refresh);
document.addEventListener('tiepdan-session-changed', refresh);
