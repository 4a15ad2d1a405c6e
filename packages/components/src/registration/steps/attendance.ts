/** Step 9: how the citizen will attend: at a connection point, or from home only where the authority allows it. */
import { ATTENDANCE_LABELS, type AttendanceMode } from '@tiepdan/core';
import { html, nothing } from 'lit';
import { radioField, selectField } from '../../shared/controls.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

export const attendanceStep: Step = {
  ...outline('attendance'),
  title: (s) => s.attendTitle,
  render: (ctx) => {
    const modes: AttendanceMode[] = ctx.meta.remoteAttendanceAllowed ? ['connection_point', 'remote'] : ['connection_point'];
    const a = ctx.state.reg.attendance ?? {};
    return html`
      ${radioField({
        path: 'attendance.mode', label: ctx.s.attendLegend, error: ctx.error('attendance.mode'), value: a.mode,
        options: modes.map((value) => ({ value, label: t(ATTENDANCE_LABELS[value], ctx.lang) })),
        onChange: (v) => ctx.set('attendance.mode', v),
      })}
      ${a.mode === 'connection_point' && ctx.meta.connectionPoints.length
        ? selectField({
            path: 'attendance.connectionPoint', label: ctx.s.connectionPoint, optional: ctx.s.optional, error: ctx.error('attendance.connectionPoint'),
            value: a.connectionPoint, placeholder: ctx.s.choose,
            options: ctx.meta.connectionPoints.map((p) => ({ value: p.id, label: p.name })),
            onChange: (v) => ctx.set('attendance.connectionPoint', v || undefined),
          })
        : nothing}
    `;
  },
  summary: (ctx) => {
    const a = ctx.state.reg.attendance ?? {};
    const point = ctx.meta.connectionPoints.find((p) => p.id === a.connectionPoint)?.name;
    return [{ label: ctx.s.attendLegend, value: a.mode ? `${t(ATTENDANCE_LABELS[a.mode], ctx.lang)}${point ? `: ${point}` : ''}` : ctx.s.none }];
  },
};
