/**
 * `tiepdan-server start --supervise`: a parent process that holds the listening socket (node:cluster; Node 20
 * has no `reusePort`) and runs the server in one worker at a time, so a restart (a deploy: SIGHUP) never leaves
 * the port without a listener.
 *
 * A restart: fork worker N+1 (new code, new config) → it listens, and its sockets' hellos wait → tell worker N to
 * drain: it stops accepting (new connections now go to N+1 only), tells its rooms `server.restarting`, closes
 * the sockets, writes every room's exact seq and closes the database → it says `released` → N+1 takes over:
 * loads the rooms and answers the waiting hellos. Clients that reconnect at once find a listener, and resume.
 * If N+1 fails to start, N keeps serving. A worker that dies unexpectedly is replaced (test/rooms-worker-crash):
 * node:cluster closes the socket with its last worker, so until the replacement listens connections are refused
 * and clients back off; with `port: 0` the replacement would even get another port, so supervise a fixed one.
 */
import cluster, { type Worker } from 'node:cluster';
import type { ToSupervisor, ToWorker } from './worker.js';

/** A worker that dies on its own is replaced after this long (a crash loop does not spin the CPU). */
const RESPAWN_MS = 1000;

/** pino-shaped lines, like the workers' own, so one log reader handles both. */
function log(level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}): void {
  const levels = { info: 30, warn: 40, error: 50 };
  process.stdout.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, role: 'supervisor', msg, ...extra })}\n`);
}

const send = (worker: Worker, message: ToWorker) => worker.send(message);

/** Runs until SIGTERM/SIGINT and the worker's drain; resolves with the exit code. */
export function supervise(): Promise<number> {
  // Each worker accepts on the shared socket itself: with the default round-robin the supervisor would accept
  // every connection and pass it over IPC, and 2,000 reconnects at once queue behind that one process.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let current: Worker | undefined;
  let next: Worker | undefined;
  let stopping = false;
  let generation = 0;
  let done!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));

  const fork = (): Worker => {
    generation += 1;
    const worker = cluster.fork({ TIEPDAN_WORKER_GENERATION: String(generation) });
    const gen = generation;
    let listening = false;
    worker.on('message', (message: ToSupervisor) => {
      if (message?.tiepdan === 'listening') {
        listening = true;
        log('info', 'worker listening', { worker: worker.process.pid, generation: gen, url: message.url });
        if (worker === next && current) {
          // Overlap: both listen; the old one stops accepting and hands over once its last write is done.
          send(current, { tiepdan: 'drain' });
        } else if (worker === current) send(worker, { tiepdan: 'takeover' });
      } else if (message?.tiepdan === 'released' && worker === current && next) handOver();
    });
    worker.on('exit', (code, signal) => {
      if (worker === current && next) return handOver(); // exited before saying `released`
      if (worker === next) {
        next = undefined;
        if (!stopping) log('error', 'the new worker did not start; the running one keeps serving', { worker: worker.process.pid, code, signal });
        return;
      }
      if (worker !== current) return;
      current = undefined;
      if (stopping) return done(code ?? 1);
      if (!listening) {
        // The first start failed (a configuration error exits 2): nothing to keep running.
        log('error', 'the server did not start', { code, signal });
        return done(code ?? 1);
      }
      log('error', 'worker died; starting another', { worker: worker.process.pid, code, signal });
      setTimeout(() => {
        if (!stopping) current = fork();
      }, RESPAWN_MS);
    });
    return worker;
  };

  const handOver = () => {
    const old = current;
    current = next;
    next = undefined;
    log('info', 'handed over', { from: old?.process.pid, to: current?.process.pid });
    if (current) send(current, { tiepdan: 'takeover' });
  };

  const restart = () => {
    if (stopping) return;
    if (next) return log('warn', 'a restart is already under way');
    if (!current) return log('warn', 'no worker to restart yet');
    log('info', 'restarting: a new worker starts before the old one drains');
    next = fork();
  };

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    next?.kill();
    if (current) send(current, { tiepdan: 'drain' });
    else done(0);
  };

  process.on('SIGHUP', restart);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  current = fork();
  log('info', 'supervisor started', { restart: `kill -HUP ${process.pid}` });
  return finished;
}
