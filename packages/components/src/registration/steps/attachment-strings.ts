/**
 * The attachment step's words about how files are sent (issue 9 §6), Vietnamese first. They live with the step,
 * which loads on demand, so they do not weigh on the form's first screen.
 */
import type { Lang } from '@tiepdan/core';

const vi = {
  /** Beside the two buttons, before anything is picked: what happens to each kind of file. */
  howSent: 'Ảnh chụp bằng nút “Chụp ảnh” sẽ được thu nhỏ để gửi nhanh qua mạng chậm. Tệp chọn bằng nút “Chọn tệp” được gửi nguyên vẹn, đúng như tệp trên máy.',
  /** Next to a capture the form made smaller. */
  downscaled: 'Ảnh chụp này đã được thu nhỏ để gửi nhanh. Nếu cần gửi ảnh gốc, ông/bà hãy xóa ảnh này và dùng nút “Chọn tệp”.',
  /** Next to a file sent as it is. */
  original: 'Gửi nguyên vẹn.',
};

export type AttachmentStrings = { [K in keyof typeof vi]: string };

const en: AttachmentStrings = {
  howSent: 'Photos taken with “Take a photo” are made smaller so they send quickly on a slow network. Files picked with “Choose a file” are sent exactly as they are on your device.',
  downscaled: 'This photo was made smaller so it sends quickly. To send the original, remove it and use “Choose a file”.',
  original: 'Sent as it is.',
};

export const attachmentStrings = (lang: Lang): AttachmentStrings => (lang === 'en' ? en : vi);
