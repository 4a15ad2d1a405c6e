/**
 * Checks on a submitted registration, in the order that fails fastest: limits that decide the status code
 * (413), then `parseRegistration` from core (the same rules the form applies), then what only this deployment
 * knows (its units, connection points, privacy notice, whether remote attendance is allowed). Runs before any
 * file is received, so a bad form is refused without storing a byte of its uploads.
 */
import { fieldError, parseRegistration, type FieldError, type Registration } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';

export function checkRegistration(input: unknown, config: Config): Registration {
  const { maxCount, maxBytes } = config.rules.attachments;
  const declared = (input as { attachments?: unknown } | null)?.attachments;
  if (Array.isArray(declared)) {
    if (declared.length > maxCount) throw new ApiError(413, 'too_many_attachments', [fieldError(`attachments.${maxCount}`, 'attachments_count')]);
    const oversized = declared.findIndex((a) => typeof (a as { size?: unknown } | null)?.size === 'number' && (a as { size: number }).size > maxBytes);
    if (oversized >= 0) throw new ApiError(413, 'attachment_too_large', [fieldError(`attachments.${oversized}`, 'attachment_size')]);
  }
  const parsed = parseRegistration(input, config.rules);
  const local = deploymentErrors(input, config);
  if (!parsed.ok || local.length) {
    const fields = parsed.ok ? local : [...parsed.fields, ...local.filter((l) => !parsed.fields.some((f) => f.path === l.path))];
    throw new ApiError(422, 'validation_failed', fields);
  }
  return parsed.value;
}

/** Rules of this deployment, read defensively from the raw input (it may not have passed the schema). */
function deploymentErrors(input: unknown, config: Config): FieldError[] {
  const reg = (input ?? {}) as { unit?: unknown; attendance?: { mode?: unknown; connectionPoint?: unknown }; privacy?: { version?: unknown } };
  const errors: FieldError[] = [];
  const unit = config.units.find((u) => u.code === reg.unit);
  if (typeof reg.unit === 'string' && !unit) errors.push(fieldError('unit', 'invalid'));
  if (reg.attendance?.mode === 'remote' && !config.remoteAttendanceAllowed) errors.push(fieldError('attendance.mode', 'attendance'));
  const point = reg.attendance?.connectionPoint;
  if (unit && typeof point === 'string' && point !== '' && !unit.connectionPoints.some((p) => p.id === point)) {
    errors.push(fieldError('attendance.connectionPoint', 'choose_one'));
  }
  // The acknowledgement counts only for the notice actually in force; an old draft shows the new one again.
  if (typeof reg.privacy?.version === 'string' && reg.privacy.version !== config.privacyNotice.version) errors.push(fieldError('privacy.version', 'privacy'));
  return errors;
}
