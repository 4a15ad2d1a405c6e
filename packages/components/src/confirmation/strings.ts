/** The citizen's confirmation view's words, Vietnamese first: short sentences for a phone and an elderly reader. */
import { byLang } from '../shared/lang.js';

const vi = {
  heading: 'Nội dung ông/bà trình bày',
  loading: 'Đang tải…',
  nothing: 'Cán bộ chưa ghi nội dung. Nội dung sẽ hiện ở đây để ông/bà xác nhận.',
  intro: 'Cán bộ đã ghi lại nội dung ông/bà trình bày. Xin đọc kỹ. Nếu đúng, bấm nút xác nhận.',
  code: 'Mã kiểm tra (SHA-256): {sha}',
  confirm: 'Tôi xác nhận nội dung trên là đúng',
  confirmed: 'Ông/bà đã xác nhận nội dung này.',
  notRight: 'Nếu chưa đúng, xin nói với cán bộ để sửa lại.',
  receipt: 'Giấy biên nhận số {code}',
  receiptIntro: 'Cán bộ đã nhận của ông/bà:',
  download: 'Tải giấy biên nhận (PDF)',
  refresh: 'Tải lại',
  outcome: 'Kết quả tiếp công dân',
  noticeDownload: 'Tải thông báo từ chối tiếp (PDF)',
  errorTitle: 'Chưa thực hiện được',
};

const en: typeof vi = {
  heading: 'What you told us',
  loading: 'Loading…',
  nothing: 'The officer has not written the content yet. It will show here for you to confirm.',
  intro: 'The officer wrote down what you said. Please read it carefully. If it is right, press the button to confirm.',
  code: 'Check code (SHA-256): {sha}',
  confirm: 'I confirm the text above is right',
  confirmed: 'You confirmed this text.',
  notRight: 'If it is not right, please tell the officer so it can be corrected.',
  receipt: 'Receipt no. {code}',
  receiptIntro: 'The officer received from you:',
  download: 'Download the receipt (PDF)',
  refresh: 'Reload',
  outcome: 'Result of your reception',
  noticeDownload: 'Download the notice of refusal (PDF)',
  errorTitle: 'That did not work',
};

export type ConfirmationStrings = typeof vi;
export const confirmationStrings = byLang<ConfirmationStrings>({ vi, en });
