// The demo: the tiepdan server on the embedded default (SQLite + a data folder) and, on another origin as in
// real life, a Vietnamese ward website that embeds the elements with one script tag. Used by `npm start` and by
// the end-to-end tests (with port 0 and a temporary data folder).
import { createServer as createHttpServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const siteDir = join(here, 'ward-site');
const sdkDir = join(here, '..', 'packages', 'components', 'dist', 'bundle');
/** The practice accounts' password: a demo on a developer's machine, never a deployment (`--demo` refuses production). */
const DEMO_PASSWORD = 'tiepdan-demo-2026';
/** The practice room's session id: not in the schedule, recorded like a scheduled session (`recording.practiceRooms`). */
const PRACTICE_ROOM = 'phong-thu';
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * Starts both servers. Options: host, port (tiepdan), sitePort (ward site), dataDir, env (TIEPDAN_* overrides;
 * the tests pass {} so a developer's environment cannot change them), logLevel, values (config values, e.g.
 * `notices: { channels: [{ type: 'smtp', host, port, from }] }`; `notices.joinPage` defaults to the site's
 * room.html, so an invitation's link opens the lobby, and `notices.lookupPage` to its home page with the lookup).
 */
export async function startDemo({ host = '127.0.0.1', port = 8787, sitePort = 8080, dataDir = './data', env = process.env, logLevel = 'info', values = {}, warn } = {}) {
  const { loadConfig, createServer, mintToken, mintJoinToken, createAccount } = await import('../packages/server/dist/index.js');
  let apiUrl = '';

  // A strict CSP like a careful ward site's: no inline script or style, scripts and API only from the two origins.
  const cspFor = (apiUrl) => [
    "default-src 'self'",
    `script-src 'self' ${apiUrl}`,
    // The room's signaling WebSocket: a ws:// (wss://) source must be listed on its own.
    `connect-src 'self' ${apiUrl} ${apiUrl.replace(/^http/u, 'ws')}`,
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
  let csp = '';
  const site = createHttpServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[\w.-]+$/u.test(file)) return void res.writeHead(404).end('Không tìm thấy');
    try {
      // The recorder's tick worker must be same-origin with the page, so the ward site serves the SDK's copy.
      let body = await readFile(file === 'recorder-tick.js' ? join(sdkDir, file) : join(siteDir, file));
      if (extname(file) === '.html') body = Buffer.from(body.toString('utf8').replaceAll('%TIEPDAN_SERVER%', apiUrl));
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Không tìm thấy');
    }
  });
  await new Promise((resolve) => site.listen(sitePort, host, resolve));
  const siteUrl = `http://${host}:${site.address().port}`;
  // The site listens first so invitations can link to its room page (the e-mail's join link opens the lobby).
  const notices = { joinPage: `${siteUrl}/room.html`, lookupPage: `${siteUrl}/`, ...values.notices };
  let config;
  let server;
  try {
    // The practice room is recorded like a real session: a recorder must wait for it before the chair can open it.
    const recording = { practiceRooms: [PRACTICE_ROOM], ...values.recording };
    config = loadConfig({ demo: true, env, values: { host, port, dataDir, sdkDir, logLevel, ...values, notices, recording }, ...(warn ? { warn } : {}) });
    server = await createServer(config);
    apiUrl = (await server.start()).replace('localhost', host);
  } catch (error) {
    await new Promise((resolve) => site.close(resolve));
    throw error;
  }
  csp = cspFor(apiUrl);
  const unit = config.units[0]?.code ?? 'dongthap.sadec';
  const token = await mintToken(config.authSecret, { sub: 'demo-clerk', role: 'clerk', unit, name: 'Cán bộ tiếp dân (demo)' }, 8 * 3600);

  // A practice room (a session id the schedule does not know is an ad-hoc room): one link per role, each
  // opened in its own browser window to try the lobby, the video and the recording.
  const room = PRACTICE_ROOM;
  const as = async (role, name) => mintToken(config.authSecret, { sub: `demo-${role}`, role, unit, name }, 8 * 3600);
  const roomLink = (tok, extra = '') => `${siteUrl}/room.html#session=${room}&token=${tok}${extra}`;
  const point = '&point=sadec-ubnd&pointName=' + encodeURIComponent('UBND phường Sa Đéc') + `&unit=${unit}`;
  const demoRoom = {
    chair: roomLink(await as('chair', 'Chủ tịch UBND phường (demo)'), point),
    clerk: roomLink(token, point),
    citizen: roomLink(await mintJoinToken(config.authSecret, { reference: 'TD-DEMO-0001', sessionId: room, name: 'Công dân (demo)' }, 8 * 3600)),
    recorder: `${siteUrl}/recorder.html#session=${room}&token=${await as('operator', 'Kỹ thuật điểm cầu (demo)')}${point}`,
  };

  // Practice accounts for <tiepdan-sign-in> on the officials' pages. The clerk and the administrator need the
  // authenticator app's code (their roles require a second factor): the demo prints their secret to type into it.
  const demoAccounts = [];
  for (const [username, role, displayName] of [
    ['can.bo.demo', 'clerk', 'Cán bộ tiếp dân (demo)'],
    ['ky.thuat.demo', 'operator', 'Kỹ thuật điểm cầu (demo)'],
    ['quan.tri.demo', 'admin', 'Quản trị viên (demo)'],
  ]) {
    const created = await createAccount(server.auth, { username, displayName, password: DEMO_PASSWORD, roles: [{ role, unit }] }, 'demo');
    const account = created === 'username_taken' ? await server.auth.store.findByUsername(username) : created.account;
    demoAccounts.push({ username, role, password: DEMO_PASSWORD, secret: server.auth.secondFactorSecretOf(account) });
  }

  return {
    apiUrl,
    siteUrl,
    demoRoom,
    demoAccounts,
    signInUrl: `${siteUrl}/officials.html`,
    officialsUrl: `${siteUrl}/officials.html#token=${token}`,
    scheduleEditorUrl: `${siteUrl}/schedule-editor.html#token=${token}`,
    registerUrl: `${siteUrl}/register.html#token=${token}`,
    token,
    server,
    async close() {
      await new Promise((resolve) => site.close(resolve));
      site.closeAllConnections?.();
      await server.close();
    },
  };
}
