/**
 * How good a media link is, from its round trip and loss: the same thresholds on both transports and for the
 * pre-join's network check. Its own module (re-exported by transport.ts) so that the check, in a page's first
 * download, does not bring the transports' errors and events along.
 */
import type { NetworkQuality } from '../signaling/protocol.js';

export function qualityOf(rttMs: number | undefined, lossRate: number | undefined, connected = true): NetworkQuality {
  if (!connected) return 'lost';
  const rtt = rttMs ?? 0;
  const loss = lossRate ?? 0;
  if (rtt > 600 || loss > 0.1) return 'poor';
  if (rtt > 250 || loss > 0.03) return 'fair';
  return 'good';
}
