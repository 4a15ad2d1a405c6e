/** Step 2: the kind of matter (khiếu nại, tố cáo, kiến nghị, phản ánh), each with its hint. */
import { MATTER_KIND_LABELS, MATTER_KINDS } from '@tiepdan/core';
import { html } from 'lit';
import { radioField } from '../../shared/controls.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

export const kindStep: Step = {
  ...outline('kind'),
  title: (s) => s.kindTitle,
  render: (ctx) => html`${radioField({
    path: 'kind',
    label: ctx.s.kindLegend,
    error: ctx.error('kind'),
    value: ctx.state.reg.kind,
    options: MATTER_KINDS.map((kind) => ({ value: kind, label: t(MATTER_KIND_LABELS[kind], ctx.lang), hint: t(MATTER_KIND_LABELS[kind].hint, ctx.lang) })),
    onChange: (value) => ctx.set('kind', value),
  })}`,
  summary: (ctx) => [{ label: ctx.s.kindLegend, value: ctx.state.reg.kind ? t(MATTER_KIND_LABELS[ctx.state.reg.kind], ctx.lang) : ctx.s.none }],
};
