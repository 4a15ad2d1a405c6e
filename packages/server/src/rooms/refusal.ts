/**
 * How a room says no: `refuse(code)` anywhere in a command's handling ends it, and the room answers with core's
 * error for that code (and closes the socket when `close` is given). One way out instead of a reply built at
 * each refusal; a lookup that can fail refuses instead of asserting it found something.
 */
import type { ErrorCode, SignalingErrorCode } from '@tiepdan/core';

export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode | SignalingErrorCode,
    readonly close?: { code: number; reason: string },
  ) {
    super(code);
  }
}

/** A declared function, not an arrow in a const: only then does TypeScript narrow after a call that returns never. */
export function refuse(code: ErrorCode | SignalingErrorCode, close?: { code: number; reason: string }): never {
  throw new Refusal(code, close);
}
