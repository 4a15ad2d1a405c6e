// The join link carries the session, the token (a citizen's join token or an official's) and, for officials at
// a connection point, the point, all in the URL fragment (never sent to a server); no inline script (strict CSP).
// #session=…&token=…[&point=id&pointName=…&unit=…][&lang=en]
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
if (token) {
  history.replaceState(null, '', location.pathname);
  customElements.whenDefined('tiepdan-room').then(() => {
    const room = document.querySelector('tiepdan-room');
    if (params.get('lang')) room.setAttribute('lang', params.get('lang'));
    if (params.get('point')) room.point = { id: params.get('point'), name: params.get('pointName') || params.get('point'), unit: params.get('unit') || 'dongthap.sadec' };
    room.session = params.get('session') ?? '';
    room.token = token;
  });
}
