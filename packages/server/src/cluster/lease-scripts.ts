/**
 * The lease primitives every Redis lease uses (a room's, a background job's, a lock's): taken with SET NX PX,
 * renewed and given back only by the node whose id the key holds, in one round trip each (Lua runs atomically).
 */

/** How long a lease's epoch counter outlives its last taking (see ACQUIRE): a day, far beyond any lease. */
export const EPOCH_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Takes a free lease (KEYS[1] = node ARGV[1] for ARGV[2] ms) and returns its epoch, a number that grows with
 * every taking, so a write carrying it can be refused once a later holder wrote (a fencing token); 0 when the lease
 * is taken. The epoch is the counter KEYS[2] plus one, but never below Redis's clock in milliseconds: a Redis that
 * restarted without its data (or a counter that expired after EPOCH_TTL_MS, so per-recording locks leave no key
 * behind for ever) still hands out epochs above every earlier one, which the stores' fences still hold.
 * Renewing (RENEW) leaves the epoch as it is.
 */
export const ACQUIRE = ["if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end", ...countEpoch(), 'return epoch'].join('\n');

/**
 * A room's lease (rooms/bus-redis.ts): ACQUIRE, but answering with the holder as well, since a node that does not get
 * the lease sends the command to whoever holds it: `[holder, epoch]`, this node (ARGV[1]) and its new epoch when
 * the lease was free, else the holder and the counter as it stands (the holder's epoch). One round trip either way.
 */
export const TAKE = [
  "local holder = redis.call('get', KEYS[1])",
  "if holder then return {holder, tonumber(redis.call('get', KEYS[2]) or '0')} end",
  "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])",
  ...countEpoch(),
  'return {ARGV[1], epoch}',
].join('\n');

/** The epoch's counting (see ACQUIRE), one rule for every lease: counter KEYS[2], kept ARGV[3] ms; leaves `epoch`. */
function countEpoch(): string[] {
  return [
    "local epoch = redis.call('incr', KEYS[2])",
    "local now = redis.call('time')",
    'local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)',
    "if epoch < floor then epoch = floor; redis.call('set', KEYS[2], epoch) end",
    "redis.call('pexpire', KEYS[2], ARGV[3])",
  ];
}

/** Extends a lease only while this node still holds it: 1 when extended, 0 when it is someone else's (or gone). */
export const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/** Deletes a lease only while this node still holds it. */
export const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
