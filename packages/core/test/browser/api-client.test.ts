// The API client from a real browser page to the real server (another origin: CORS is exercised for real).
import { expect } from '@open-wc/testing';
import { v7 as uuidv7 } from 'uuid';
import type { Registration } from '../../src/index.js';
import { ApiClient, ApiError } from '../../src/browser.js';


const api = () => new ApiClient({ baseUrl: window.TIEPDAN_TEST_SERVER!, timeoutMs: 10_000 });

// The smallest valid PNG: 1×1 transparent pixel.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0));

let noticeVersion = '';
before(async () => {
  // The server accepts only the privacy notice it currently publishes.
  noticeVersion = (await api().meta('dongthap.sadec')).privacyNotice.version;
});

function registration(attachments: Registration['attachments'] = []): Registration {
  return {
    unit: 'dongthap.sadec',
    kind: 'phan_anh',
    identity: { fullName: 'Trần Thị Bình' },
    address: { provinceCode: '82', communeCode: '29869', detail: 'Ấp Phú Long' },
    contact: { phone: '0987654321' },
    content: { summary: 'Phản ánh đèn đường khu vực ấp Phú Long bị hư hỏng kéo dài.' },
    attendance: { mode: 'connection_point' },
    privacy: { version: noticeVersion, acknowledged: true, acknowledgedAt: new Date().toISOString() },
    attachments,
  };
}

describe('ApiClient against the real server', () => {
  it('reads the unit meta cross-origin', async () => {
    const meta = await api().meta('dongthap.sadec');
    expect(meta.unit.code).to.equal('dongthap.sadec');
    expect(meta.communes.length).to.be.greaterThan(0);
    expect(meta.privacyNotice.text.vi).to.be.a('string');
  });

  it('submits with a photo (multipart, progress reported), replays idempotently, and looks it up', async () => {
    const clientId = uuidv7();
    const reg = registration([{ id: 'anh1', name: 'den-duong.png', type: 'image/png', size: PNG.byteLength, purpose: 'evidence' }]);
    const files = new Map([['anh1', new File([PNG], 'den-duong.png', { type: 'image/png' })]]);
    const progress: number[] = [];
    const first = await api().submitRegistration(clientId, reg, files, { onProgress: (p) => progress.push(p) });
    expect(first.reference).to.match(/^TD-[0-9A-Z]{4}-[0-9A-Z]{4}$/u);
    expect(first.attachments[0]?.type).to.equal('image/png');
    expect(progress.at(-1)).to.equal(1);
    const again = await api().submitRegistration(clientId, reg, files);
    expect(again).to.deep.equal(first);
    const lookup = await api().lookup({ reference: first.reference.toLowerCase(), phone: '+84 987 654 321' });
    expect(lookup.state).to.equal('received');
  });

  it('turns a refusal into an ApiError with the field named, and a dead server into a retryable network error', async () => {
    const bad = registration();
    bad.contact.phone = '0123';
    try {
      await api().submitRegistration(uuidv7(), bad);
      expect.fail('should have been refused');
    } catch (error) {
      expect(error).to.be.instanceOf(ApiError);
      expect((error as ApiError).status).to.equal(422);
      expect((error as ApiError).retryable).to.equal(false);
      expect((error as ApiError).body.error.fields?.map((f) => f.path)).to.include('contact.phone');
    }
    try {
      await new ApiClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 5_000 }).meta('x');
      expect.fail('should not reach a closed port');
    } catch (error) {
      expect((error as ApiError).code).to.equal('network');
      expect((error as ApiError).retryable).to.equal(true);
    }
  });
});
