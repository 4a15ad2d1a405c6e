/**
 * A core SignalingClient in its own process (run inside a network namespace by rooms-dead-link.test.ts): joins
 * as an official and prints one JSON line per state change, with the time, so the test can cut its link.
 * Usage: node --import tsx dead-link-client.ts <ws-url> <sessionId> <token>
 */
import { WebSocket } from 'ws';
import { SignalingClient, type WebSocketConstructor } from '@tiepdan/core/browser';

const [url, sessionId, token] = process.argv.slice(2);
const client = new SignalingClient({
  url: url!,
  sessionId: sessionId!,
  auth: { kind: 'official', token: token! },
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  backoff: { initialMs: 200, maxMs: 1000 },
  onlineTarget: undefined,
});
client.onState((state, detail) => {
  process.stdout.write(`${JSON.stringify({ state, at: Date.now(), participantId: client.participantId, resumed: client.hello?.resumed, code: detail?.code })}\n`);
});
process.on('SIGTERM', () => void client.close().finally(() => process.exit(0)));
void client.connect().catch(() => process.exit(1));
