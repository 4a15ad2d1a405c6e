/**
 * Which transport a session uses, as one pure function so officials can be shown why (the room element prints
 * its `reason`). Native peer-to-peer needs no extra server but each participant sends one copy per peer, so it
 * suits small sessions; Jitsi's videobridge forwards one copy, for larger sessions where a deployment exists.
 */
import type { Message } from '../i18n/message.js';
import type { TransportKind } from './transport.js';

/** Above this many participants with media, a full mesh costs a phone on 4G too much upload. */
export const NATIVE_MAX_PARTICIPANTS = 4;

export interface TransportPolicyInput {
  /** Participants who exchange media (admitted or present, not in the lobby). */
  participants: number;
  /** The server handed out a Jitsi room and token (a deployment is configured). */
  jitsiConfigured: boolean;
  /** A deployment's choice: always native, always Jitsi, or by size (default). */
  preference?: 'auto' | 'native' | 'jitsi' | undefined;
  /** Jitsi was tried and failed in this session (unreachable, incompatible): do not try it again. */
  jitsiFailed?: boolean | undefined;
  /** May the room fall back to native when Jitsi fails? Default true. */
  allowFallback?: boolean | undefined;
  nativeMax?: number | undefined;
}

export interface TransportChoice {
  kind: TransportKind | 'none';
  reason: Message;
}

export function chooseTransport(input: TransportPolicyInput): TransportChoice {
  const max = input.nativeMax ?? NATIVE_MAX_PARTICIPANTS;
  const preference = input.preference ?? 'auto';
  const fallback = input.allowFallback ?? true;
  if (input.jitsiFailed) {
    if (!fallback) return { kind: 'none', reason: { vi: 'Máy chủ Jitsi lỗi và cấu hình không cho phép chuyển sang kết nối trực tiếp.', en: 'Jitsi failed and the configuration does not allow falling back to direct connections.' } };
    return { kind: 'native', reason: { vi: 'Máy chủ Jitsi không dùng được; chuyển sang kết nối trực tiếp.', en: 'Jitsi is not available; falling back to direct connections.' } };
  }
  if (preference === 'native') return { kind: 'native', reason: { vi: 'Cấu hình: luôn kết nối trực tiếp (không qua máy chủ hình ảnh).', en: 'Configured: always direct connections (no video server).' } };
  if (preference === 'jitsi') {
    if (input.jitsiConfigured) return { kind: 'jitsi', reason: { vi: 'Cấu hình: luôn dùng máy chủ Jitsi.', en: 'Configured: always the Jitsi server.' } };
    return fallback
      ? { kind: 'native', reason: { vi: 'Chưa có máy chủ Jitsi; dùng kết nối trực tiếp.', en: 'No Jitsi server; using direct connections.' } }
      : { kind: 'none', reason: { vi: 'Cấu hình yêu cầu Jitsi nhưng chưa có máy chủ.', en: 'Jitsi is required but not configured.' } };
  }
  if (input.participants > max && input.jitsiConfigured) {
    return { kind: 'jitsi', reason: { vi: `Hơn ${max} người tham gia: dùng máy chủ Jitsi.`, en: `More than ${max} participants: using the Jitsi server.` } };
  }
  if (input.participants > max) {
    return { kind: 'native', reason: { vi: `Hơn ${max} người nhưng chưa có máy chủ Jitsi: kết nối trực tiếp, chất lượng có thể giảm.`, en: `More than ${max} participants but no Jitsi server: direct connections, quality may drop.` } };
  }
  return { kind: 'native', reason: { vi: `Tối đa ${max} người: kết nối trực tiếp, không cần máy chủ hình ảnh.`, en: `Up to ${max} participants: direct connections, no video server needed.` } };
}
