/**
 * A citizen's mobile line, emulated in user space because this machine's kernel has no `sch_netem` (tc answers
 * "Specified qdisc kind is unknown"): a UDP proxy in front of coturn's UDP port. With `turn.relayOnly` every
 * media packet of every peer goes to coturn, so whatever the proxy does to a flow happens to that participant's
 * media, both ways, and to nothing else (signalling stays on its own WebSocket, unimpaired).
 *
 * Per direction: a rate (token bucket; a queue of at most `queueMs` of data, drop-tail past it — what a mobile
 * network's buffer does), a one-way delay, and random loss (seeded, so a run can be repeated). `outage(ms)` drops
 * everything for that long. Only flows whose TURN username (STUN attribute USERNAME, `expiry:participantId`, as
 * the tiepdan server mints it) contains `impair(who)`'s string are impaired: coturn's challenge and the other
 * participants' flows pass untouched. A flow is one client socket; an ICE restart opens new ones, which are
 * matched again by their username. All the impaired flows share one line (one bottleneck each way), as a phone's
 * connections share its one mobile link: a citizen sending to the clerk and to the recorder splits 250 kbit/s.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface LinkProfile {
  /** Bits per second, citizen → network (uplink) and network → citizen (downlink). */
  upBps: number;
  downBps: number;
  /** One-way delay added in each direction, ms (RTT grows by twice this). */
  delayMs: number;
  /** Probability that a packet is lost, each direction. */
  loss: number;
  /** Longest the bottleneck queue holds, ms of data at the rate; past it packets are dropped. */
  queueMs: number;
}

/** "3G" of issue 18: ≈ 750 kbit/s down, 250 up, 200 ms RTT, 2 % loss. */
export const THREE_G: LinkProfile = { upBps: 250_000, downBps: 750_000, delayMs: 100, loss: 0.02, queueMs: 400 };

export interface ImpairedLink {
  port: number;
  url: string;
  /** From now on, flows whose TURN username contains `userPart` get `profile`. */
  impair(userPart: string, profile: LinkProfile): void;
  /** Drops every packet of the impaired flows for `ms`, then resolves. */
  outage(ms: number): Promise<void>;
  counts(): { forwarded: number; dropped: number; impairedFlows: number };
  close(): Promise<void>;
}

interface Flow {
  client: RemoteInfo;
  upstream: Socket;
  impaired: boolean;
}

/** One direction of the impaired line (shared by its flows): token bucket, bounded queue, delay and loss. */
class Bottleneck {
  #freeAt = 0; // when the link finishes sending what is queued (ms, Date.now clock)
  /** Packets still in flight on the line: cleared at close, or a late one would be sent on a closed socket. */
  readonly #inFlight = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(private readonly stats: { forwarded: number; dropped: number }, private readonly random: () => number) {}

  push(packet: Buffer, send: (packet: Buffer) => void, profile: LinkProfile | undefined, down: boolean, offline: boolean): void {
    if (!profile) return this.forward(packet, send);
    if (offline || this.random() < profile.loss) return void (this.stats.dropped += 1);
    const bps = down ? profile.downBps : profile.upBps;
    const now = Date.now();
    const start = Math.max(now, this.#freeAt);
    // The queue holds what is waiting ahead of this packet; a full buffer drops (drop-tail).
    if (start - now > profile.queueMs) return void (this.stats.dropped += 1);
    const transmitMs = (packet.length * 8 * 1000) / bps;
    this.#freeAt = start + transmitMs;
    const timer = setTimeout(() => {
      this.#inFlight.delete(timer);
      this.forward(packet, send);
    }, this.#freeAt - now + profile.delayMs);
    this.#inFlight.add(timer);
  }

  /** The line goes dark: what is still in flight is dropped, and nothing more is sent. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#inFlight) clearTimeout(timer);
    this.#inFlight.clear();
  }

  private forward(packet: Buffer, send: (packet: Buffer) => void): void {
    if (this.#stopped) return;
    this.stats.forwarded += 1;
    send(packet);
  }
}

/** The USERNAME attribute of a STUN message, if this datagram is one that carries it. */
function stunUsername(packet: Buffer): string | undefined {
  if (packet.length < 20 || (packet[0]! & 0xc0) !== 0 || packet.readUInt32BE(4) !== 0x2112a442) return undefined;
  const end = Math.min(packet.length, 20 + packet.readUInt16BE(2));
  for (let at = 20; at + 4 <= end; ) {
    const type = packet.readUInt16BE(at);
    const length = packet.readUInt16BE(at + 2);
    if (type === 0x0006) return packet.toString('utf8', at + 4, at + 4 + length);
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return undefined;
}

/** Mulberry32: a small seeded generator, so the loss pattern of a run can be reproduced. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startImpairedLink(target: { host: string; port: number }, seed = 18): Promise<ImpairedLink> {
  const front = createSocket('udp4');
  const flows = new Map<string, Flow>();
  const stats = { forwarded: 0, dropped: 0 };
  const random = seeded(seed);
  const line = { up: new Bottleneck(stats, random), down: new Bottleneck(stats, random) };
  let rule: { userPart: string; profile: LinkProfile } | undefined;
  let offlineUntil = 0;

  const flowOf = (client: RemoteInfo): Flow => {
    const key = `${client.address}:${client.port}`;
    let flow = flows.get(key);
    if (flow) return flow;
    const upstream = createSocket('udp4');
    upstream.bind(0, '127.0.0.1');
    const created: Flow = { client, upstream, impaired: false };
    const toClient = (p: Buffer) => front.send(p, client.port, client.address);
    upstream.on('message', (packet) => line.down.push(packet, toClient, created.impaired ? rule?.profile : undefined, true, Date.now() < offlineUntil && created.impaired));
    flows.set(key, created);
    flow = created;
    return flow;
  };

  front.on('message', (packet, client) => {
    const flow = flowOf(client);
    if (!flow.impaired && rule) {
      const username = stunUsername(packet);
      if (username?.includes(rule.userPart)) flow.impaired = true;
    }
    line.up.push(packet, (p) => flow.upstream.send(p, target.port, target.host), flow.impaired ? rule?.profile : undefined, false, Date.now() < offlineUntil && flow.impaired);
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  const port = front.address().port;

  return {
    port,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    impair(userPart, profile) {
      rule = { userPart, profile };
    },
    async outage(ms) {
      offlineUntil = Date.now() + ms;
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    counts: () => ({ ...stats, impairedFlows: [...flows.values()].filter((f) => f.impaired).length }),
    async close() {
      line.up.stop();
      line.down.stop();
      for (const flow of flows.values()) flow.upstream.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
