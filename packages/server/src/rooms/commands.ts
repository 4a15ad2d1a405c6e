/**
 * Commands from the transport to a room, over the bus. The transport has already checked the frame's shape
 * and the token; a command carries the verified identity, never a token.
 */
import type { CaseState, ClientMessage, ConnectionPointInfo, OfficialRole } from '@tiepdan/core';
import type { JoinClaims } from './join-tokens.js';

export type VerifiedIdentity =
  | { kind: 'official'; sub: string; role: OfficialRole; unit: string; name?: string | undefined }
  | ({ kind: 'citizen' } & JoinClaims);

export type RoomCommand =
  | {
      kind: 'hello';
      connectionId: string;
      identity: VerifiedIdentity;
      point?: ConnectionPointInfo | undefined;
      pointId?: string | undefined;
      resume?: { participantId: string; lastSeq: number } | undefined;
      notice?: { version: string; acknowledgedAt: string } | undefined;
      recorder?: { recorderId: string } | undefined;
      /**
       * Sent by the transport on behalf of a socket that stays open while its room moved to another node (the new
       * holder restored the room with nobody connected): the socket takes its place back under the same connection
       * id, and never a new place (refused when the place is gone).
       */
      rejoin?: true | undefined;
    }
  /** `ping` never reaches a room: the transport answers it. */
  | { kind: 'request'; connectionId: string; participantId: string; message: Exclude<ClientMessage, { type: 'hello' | 'ping' }> }
  /** `lastSeenAt`: epoch ms of the socket's last frame or pong, where the resume window starts. */
  | { kind: 'detach'; connectionId: string; participantId: string; lastSeenAt?: number | undefined }
  | { kind: 'heartbeat'; connectionId: string; participantId: string }
  /** From the desk (HTTP, any node): a step was committed on a case of this session; the room tells who is concerned. */
  | { kind: 'case'; caseId: string; state: CaseState; step: string };
