/** The registration's steps in order; the check-your-answers page and the confirmation follow them. */
import { addressStep } from './address.js';
import { attachmentsStep } from './attachments.js';
import { attendanceStep } from './attendance.js';
import { contactStep } from './contact.js';
import { contentStep } from './content.js';
import { groupStep } from './group.js';
import { identityStep } from './identity.js';
import { kindStep } from './kind.js';
import { privacyStep } from './privacy.js';
import { sessionStep } from './session.js';
import type { Step } from './step.js';

export const STEPS: readonly Step[] = [
  privacyStep, kindStep, identityStep, addressStep, contactStep, contentStep, groupStep, attachmentsStep, attendanceStep, sessionStep,
];

export type { Step, StepContext, SummaryRow } from './step.js';
