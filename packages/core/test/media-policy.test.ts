/**
 * The transport policy: one pure function from participant count and configuration to a transport and the reason
 * officials are shown, in both languages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseTransport, NATIVE_MAX_PARTICIPANTS, qualityOf } from '../src/browser.js';

describe('chooseTransport', () => {
  test('small sessions go peer to peer, with or without Jitsi', () => {
    for (const jitsiConfigured of [true, false]) {
      const choice = chooseTransport({ participants: NATIVE_MAX_PARTICIPANTS, jitsiConfigured });
      assert.equal(choice.kind, 'native');
      assert.match(choice.reason.vi, /kết nối trực tiếp/u);
      assert.match(choice.reason.en, /direct connections/u);
    }
  });

  test('larger sessions use Jitsi where it exists, and stay native (saying quality may drop) where it does not', () => {
    assert.equal(chooseTransport({ participants: NATIVE_MAX_PARTICIPANTS + 1, jitsiConfigured: true }).kind, 'jitsi');
    const without = chooseTransport({ participants: NATIVE_MAX_PARTICIPANTS + 1, jitsiConfigured: false });
    assert.equal(without.kind, 'native');
    assert.match(without.reason.en, /quality may drop/u);
    assert.equal(chooseTransport({ participants: 3, jitsiConfigured: true, nativeMax: 2 }).kind, 'jitsi', 'the threshold is configurable');
  });

  test('a configured preference wins; Jitsi required but missing falls back only when allowed', () => {
    assert.equal(chooseTransport({ participants: 20, jitsiConfigured: true, preference: 'native' }).kind, 'native');
    assert.equal(chooseTransport({ participants: 2, jitsiConfigured: true, preference: 'jitsi' }).kind, 'jitsi');
    assert.equal(chooseTransport({ participants: 2, jitsiConfigured: false, preference: 'jitsi' }).kind, 'native');
    assert.equal(chooseTransport({ participants: 2, jitsiConfigured: false, preference: 'jitsi', allowFallback: false }).kind, 'none');
  });

  test('after Jitsi failed, native if the policy allows it, otherwise none (with the reason)', () => {
    const fallback = chooseTransport({ participants: 9, jitsiConfigured: true, jitsiFailed: true });
    assert.equal(fallback.kind, 'native');
    assert.match(fallback.reason.vi, /Jitsi không dùng được/u);
    const strict = chooseTransport({ participants: 9, jitsiConfigured: true, jitsiFailed: true, allowFallback: false });
    assert.equal(strict.kind, 'none');
    assert.match(strict.reason.en, /does not allow/u);
  });
});

describe('qualityOf', () => {
  test('round trip and loss thresholds', () => {
    assert.equal(qualityOf(40, 0), 'good');
    assert.equal(qualityOf(300, 0), 'fair');
    assert.equal(qualityOf(50, 0.05), 'fair');
    assert.equal(qualityOf(700, 0), 'poor');
    assert.equal(qualityOf(50, 0.2), 'poor');
    assert.equal(qualityOf(40, 0, false), 'lost');
  });
});
