// The recorder of a connection point, on a page of its own (a spare laptop at the point keeps it open all session).
// #session=…&token=…[&recorderId=…][&point=id&pointName=…][&capture=device&label=…][&lang=en]; the fragment never reaches a server.
// By default it waits for the session, joins the room as its hidden recorder and records everyone.
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
if (token) {
  history.replaceState(null, '', location.pathname);
  customElements.whenDefined('tiepdan-recorder').then(() => {
    const recorder = document.querySelector('tiepdan-recorder');
    for (const [param, attr] of [['lang', 'lang'], ['recorderId', 'recorder-id'], ['point', 'point'], ['pointName', 'point-name'], ['label', 'label'], ['capture', 'capture']]) {
      if (params.get(param)) recorder.setAttribute(attr, params.get(param));
    }
    recorder.session = params.get('session') ?? '';
    recorder.token = token;
  });
}
