/**
 * Makes SQLite commits durable off the event loop: an fsync of the database's WAL file, run in libuv's thread
 * pool, that any number of commits share. SQLite's synchronous=FULL syncs the WAL inside COMMIT, which blocks
 * the server's only thread for the whole disk flush (under the intake bench, 12 % of the server's time went to
 * that wait, issue 15). A batch of registrations committed with synchronous=NORMAL and then awaited here is as
 * durable as with FULL — NORMAL still syncs the WAL header and every checkpoint, FULL only adds this sync after
 * each commit — and the server parses the next requests while the disk works.
 *
 * `durable()` resolves once an fsync that *started after the call* has finished, so everything written to the
 * WAL before the call is on disk. Calls made while an fsync runs wait for the next one, which then covers all of
 * them: one flush per turn of the disk, however many commits came in meanwhile.
 */
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSync {
  private fd: number | undefined;
  private waiting: Waiter[] = [];
  /** The fsync in flight, if any; close() waits for it. */
  private running: Promise<void> | undefined;

  /** `walPath`: the database's `-wal` file, which SQLite keeps (same inode) while a connection is open. */
  constructor(
    private readonly walPath: string,
    private readonly syncFile: SyncFile = fsync,
  ) {}

  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.next();
    });
  }

  /** Waits for the fsync in flight, then closes the file. */
  async close(): Promise<void> {
    while (this.running) await this.running;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private next(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) {
      this.running = undefined;
      return;
    }
    let fd: number;
    try {
      fd = this.fd ??= openWal(this.walPath);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return this.next();
    }
    // Set before the fsync is asked for, so a callback that comes at once still finds it and clears it.
    let finished!: () => void;
    this.running = new Promise((resolve) => (finished = resolve));
    this.syncFile(fd, (error) => {
      // A failed fsync proves nothing was made durable: the batch is refused (500), and its clients resend
      // (the outbox retries until answered); the next batch gets an fsync of its own.
      for (const w of batch) if (error) w.reject(error);
      else w.resolve();
      finished();
      this.next();
    });
  }
}

/**
 * Opens the WAL for its fsyncs, and syncs its folder once: the file's directory entry must be on disk too for
 * its content to survive a power cut (SQLite syncs it at the WAL's first sync; this does not rely on that).
 * Read-only is enough for fsync on Linux; the descriptor takes no lock (SQLite locks the database and -shm files,
 * never the WAL, so closing this descriptor cannot drop one of SQLite's POSIX locks).
 */
function openWal(walPath: string): number {
  const fd = openSync(walPath, 'r');
  const dir = openSync(dirname(walPath), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return fd;
}
