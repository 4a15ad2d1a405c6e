// What every server bench shares: servers in child processes (so the load generator never shares their event
// loop or their CPU accounting), server CPU read from /proc/<pid>/stat, medians over alternated rounds, and the
// machine's load to print beside the figures (on a shared machine only same-run ratios mean anything).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';

/** Linux USER_HZ: utime/stime in /proc/<pid>/stat count in these (100 on every kernel this runs on). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process has used so far, in ms; NaN where /proc is missing. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN;
}

export const round = (value, digits = 2) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The 1-minute load average and core count, to print with the figures. */
export function machineLoad() {
  return { loadAverage1m: round(loadavg()[0], 1), cores: availableParallelism() };
}

/**
 * Forks `script` with `args` and waits for its `{ready}` message. The child answers `{cmd}` messages in order;
 * `ask` sends one and resolves with the answer. `stop` asks it to close and kills it after 5 s regardless.
 */
export async function spawnServer(script, args, execArgv = []) {
  const child = fork(script, args, { execArgv: [...execArgv, ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue = [];
  const waiting = [];
  child.on('message', (message) => (waiting.length ? waiting.shift()(message) : queue.push(message)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : Promise.race([new Promise((resolve) => waiting.push(resolve)), exited.then((code) => Promise.reject(new Error(`${args[0] ?? script} exited (${code})`)))]));
  const ready = await next();
  return {
    ...ready,
    pid: child.pid,
    cpuMs: () => cpuMs(child.pid),
    async ask(cmd, extra = {}) {
      child.send({ cmd, ...extra });
      return next();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ cmd: 'stop' });
        await Promise.race([exited, sleep(5000)]);
      }
      child.kill('SIGKILL');
    },
  };
}

/** A port free right now: a server that gets a fixed one, as in production, listens on it again after a crash. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
