/**
 * The lease primitives every Redis lease uses (a room's, a background job's, a lock's): taken with SET NX PX,
 * renewed and given back only by the node whose id the key holds, in one round trip each (Lua runs atomically).
 */

/** Extends a lease only while this node still holds it: 1 when extended, 0 when it is someone else's (or gone). */
export const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/** Deletes a lease only while this node still holds it. */
export const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
