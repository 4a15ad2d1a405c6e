// How the officials' pages get their access token: from <tiepdan-sign-in> (the official signs in once; the
// element renews the short-lived token before it expires and after a reload), or, for the demo's printed links
// and the tests, from the URL fragment (#token=…, never sent to a server). The token goes into the element's
// property, never into markup.
export function useOfficialToken(tag, apply = (element, token) => { element.token = token; }) {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromLink = params.get('token');
  const signIn = document.querySelector('tiepdan-sign-in');
  const give = (token) => customElements.whenDefined(tag).then(() => apply(document.querySelector(tag), token));
  if (fromLink) {
    signIn?.remove();
    return void give(fromLink);
  }
  document.addEventListener('tiepdan-token', (event) => void give(event.detail.token));
}
