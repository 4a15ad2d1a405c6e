/** The sign-in element's words, Vietnamese first. */
import type { OfficialRole } from '@tiepdan/core';
import { byLang } from '../shared/lang.js';

const vi = {
  heading: 'Đăng nhập dành cho cán bộ',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  code: 'Mã xác thực',
  codeHint: 'Mã 6 chữ số trong ứng dụng xác thực trên điện thoại của ông/bà.',
  submit: 'Đăng nhập',
  signingIn: 'Đang đăng nhập…',
  or: 'hoặc',
  signedInAs: 'Đã đăng nhập: {name}',
  roleIn: 'Vai trò: {role} · Đơn vị: {unit}',
  chooseRole: 'Vai trò đang dùng',
  signOut: 'Đăng xuất',
  signedOut: 'Ông/bà đã đăng xuất.',
  expired: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
  checking: 'Đang kiểm tra phiên đăng nhập…',
  required: 'Vui lòng nhập {field}.',
  errorTitle: 'Chưa đăng nhập được',
  network: 'Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.',
  rateLimited: 'Thử quá nhiều lần. Vui lòng đợi {s} giây.',
  device: 'Máy ghi hình đã đăng nhập đến {time}.',
  deviceHint: 'Cán bộ tại điểm cầu đăng nhập một lần; máy ghi giữ quyền ghi hình (chỉ ghi hình) đến hết ngày làm việc.',
  deviceEnd: 'Đăng xuất máy ghi',
  ssoFailed: 'Đăng nhập một lần không thành công.',
  roles: { chair: 'Chủ trì', official: 'Cán bộ', clerk: 'Cán bộ tiếp dân', operator: 'Kỹ thuật', observer: 'Giám sát', admin: 'Quản trị viên', recorder: 'Máy ghi hình' } satisfies Record<OfficialRole, string>,
};

const en: typeof vi = {
  heading: 'Officials’ sign-in',
  username: 'User name',
  password: 'Password',
  code: 'Verification code',
  codeHint: 'The 6-digit code in the authenticator app on your phone.',
  submit: 'Sign in',
  signingIn: 'Signing in…',
  or: 'or',
  signedInAs: 'Signed in: {name}',
  roleIn: 'Role: {role} · Unit: {unit}',
  chooseRole: 'Role in use',
  signOut: 'Sign out',
  signedOut: 'You have signed out.',
  expired: 'Your session has expired. Please sign in again.',
  checking: 'Checking your session…',
  required: 'Please enter the {field}.',
  errorTitle: 'Could not sign in',
  network: 'Cannot reach the server. Check the network and try again.',
  rateLimited: 'Too many attempts. Please wait {s} seconds.',
  device: 'The recorder is signed in until {time}.',
  deviceHint: 'The official at the connection point signs in once; the recorder keeps a recording-only credential until the end of the working day.',
  deviceEnd: 'Sign the recorder out',
  ssoFailed: 'Single sign-on did not succeed.',
  roles: { chair: 'Chair', official: 'Official', clerk: 'Reception officer', operator: 'Operator', observer: 'Observer', admin: 'Administrator', recorder: 'Recorder' },
};

export type SignInStrings = typeof vi;
export const signInStrings = byLang<SignInStrings>({ vi, en });
