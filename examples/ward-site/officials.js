// The demo hands the official's token in the URL fragment (never sent to a server); a real deployment gets it
// from its sign-in. The token goes into the element's property, not into markup.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (token) {
  history.replaceState(null, '', location.pathname);
  customElements.whenDefined('tiepdan-screening').then(() => {
    document.querySelector('tiepdan-screening').token = token;
  });
}
