/**
 * The load balancer of the cluster tests: a small TCP forwarder on 127.0.0.1 that tries its backends in order and
 * gives each connection to the first that accepts (a balancer with health checks). HTTP and WebSocket alike, so a
 * client whose node was killed comes back through the same address to another node.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class Forwarders {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  /** Listens on a free port; `ports()` is asked for the backends' order at each new connection. Resolves the port. */
  open(ports: () => number[]): Promise<number> {
    const server = createServer((inbound) => {
      this.sockets.add(inbound);
      inbound.on('close', () => this.sockets.delete(inbound));
      inbound.pause();
      const attempt = (left: number[]) => {
        const port = left[0];
        if (port === undefined) return inbound.destroy();
        const outbound = connect(port, '127.0.0.1');
        outbound.once('error', () => {
          if (!outbound.readyState || outbound.connecting) attempt(left.slice(1));
          else inbound.destroy();
        });
        outbound.once('connect', () => {
          this.sockets.add(outbound);
          outbound.on('close', () => (this.sockets.delete(outbound), inbound.destroy()));
          inbound.on('close', () => outbound.destroy());
          inbound.on('error', () => outbound.destroy());
          inbound.pipe(outbound).pipe(inbound);
          inbound.resume();
        });
      };
      attempt(ports());
    });
    this.servers.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.splice(0).map((f) => new Promise((done) => f.close(done))));
  }
}
