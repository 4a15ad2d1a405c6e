/**
 * Small render helpers for form controls, GOV.UK style: label, hint, inline error, then the control, with
 * aria-describedby and aria-invalid wired. Ids derive from the field's dotted path ("identity.idNumber" →
 * "f-identity-idNumber"), so an error from the validator or the server finds its field.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';

export const fieldId = (path: string) => `f-${path.replace(/\./gu, '-')}`;
const errorId = (path: string) => `e-${path.replace(/\./gu, '-')}`;
const hintId = (path: string) => `h-${path.replace(/\./gu, '-')}`;

export interface FieldOptions {
  path: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: string | undefined;
}

function describedBy(o: FieldOptions): string | undefined {
  const ids = [o.hint ? hintId(o.path) : '', o.error ? errorId(o.path) : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function above(o: FieldOptions, labelFor = true): TemplateResult {
  const text = html`${o.label}${o.optional ? html` <span class="hint-inline">${o.optional}</span>` : nothing}`;
  return html`${labelFor ? html`<label for=${fieldId(o.path)}>${text}</label>` : html`<legend>${text}</legend>`}
    ${o.hint ? html`<span class="hint" id=${hintId(o.path)}>${o.hint}</span>` : nothing}
    ${o.error ? html`<span class="error-message" id=${errorId(o.path)}>${o.error}</span>` : nothing}`;
}

export interface TextOptions extends FieldOptions {
  value: string | undefined;
  onInput: (value: string) => void;
  type?: 'text' | 'tel' | 'email';
  inputmode?: 'numeric' | 'tel' | 'email' | 'text';
  autocomplete?: string;
  multiline?: boolean;
}

export function textField(o: TextOptions): TemplateResult {
  const input = (event: Event) => o.onInput((event.target as HTMLInputElement).value);
  const control = o.multiline
    ? html`<textarea id=${fieldId(o.path)} rows="6" aria-describedby=${ifDefined(describedBy(o))}
        aria-invalid=${o.error ? 'true' : 'false'} .value=${live(o.value ?? '')} @input=${input}></textarea>`
    : html`<input id=${fieldId(o.path)} type=${o.type ?? 'text'} inputmode=${ifDefined(o.inputmode)}
        autocomplete=${ifDefined(o.autocomplete)} aria-describedby=${ifDefined(describedBy(o))}
        aria-invalid=${o.error ? 'true' : 'false'} .value=${live(o.value ?? '')} @input=${input} />`;
  return html`<div class="field ${o.error ? 'invalid' : ''}">${above(o)}${control}</div>`;
}

export interface SelectOptions extends FieldOptions {
  value: string | undefined;
  options: readonly { value: string; label: string }[];
  placeholder: string;
  onChange: (value: string) => void;
  autocomplete?: string;
}

export function selectField(o: SelectOptions): TemplateResult {
  return html`<div class="field ${o.error ? 'invalid' : ''}">
    ${above(o)}
    <select id=${fieldId(o.path)} aria-describedby=${ifDefined(describedBy(o))} aria-invalid=${o.error ? 'true' : 'false'}
      autocomplete=${ifDefined(o.autocomplete)} @change=${(e: Event) => o.onChange((e.target as HTMLSelectElement).value)}>
      <option value="" ?selected=${!o.value}>${o.placeholder}</option>
      ${o.options.map((opt) => html`<option value=${opt.value} ?selected=${opt.value === o.value}>${opt.label}</option>`)}
    </select>
  </div>`;
}

export interface RadioOptions extends FieldOptions {
  value: string | undefined;
  options: readonly { value: string; label: string; hint?: string | undefined }[];
  onChange: (value: string) => void;
  /** Renders the legend as the step heading (one question per page). */
  heading?: boolean;
}

export function radioField(o: RadioOptions): TemplateResult {
  const name = fieldId(o.path);
  return html`<div class="field ${o.error ? 'invalid' : ''}">
    <fieldset aria-describedby=${ifDefined(describedBy(o))}>
      ${above(o, false)}
      ${o.options.map((opt, i) => {
        const id = i === 0 ? name : `${name}-${i}`;
        return html`<div class="choice">
          <input type="radio" id=${id} name=${name} .value=${opt.value} .checked=${live(opt.value === o.value)}
            aria-describedby=${ifDefined(opt.hint ? `${id}-hint` : undefined)}
            @change=${() => o.onChange(opt.value)} />
          <div><label for=${id}>${opt.label}</label>${opt.hint ? html`<span class="hint" id="${id}-hint">${opt.hint}</span>` : nothing}</div>
        </div>`;
      })}
    </fieldset>
  </div>`;
}

export interface CheckboxOptions extends FieldOptions {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function checkboxField(o: CheckboxOptions): TemplateResult {
  return html`<div class="field ${o.error ? 'invalid' : ''}">
    ${o.error ? html`<span class="error-message" id=${errorId(o.path)}>${o.error}</span>` : nothing}
    <div class="choice">
      <input type="checkbox" id=${fieldId(o.path)} .checked=${live(o.checked)} aria-invalid=${o.error ? 'true' : 'false'}
        aria-describedby=${ifDefined(describedBy(o))} @change=${(e: Event) => o.onChange((e.target as HTMLInputElement).checked)} />
      <label for=${fieldId(o.path)}>${o.label}</label>
    </div>
  </div>`;
}

export interface SummaryError {
  path: string;
  message: string;
}

/** The error summary box: role=alert, focusable, each error a link that focuses its field. */
export function errorSummary(title: string, errors: readonly SummaryError[], focusField: (path: string) => void): TemplateResult | typeof nothing {
  if (errors.length === 0) return nothing;
  return html`<div class="error-summary" part="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">${title}</h2>
    <ul>
      ${errors.map(
        (e) => html`<li><a href="#${fieldId(e.path)}" @click=${(event: Event) => {
          // The host page's URL must not change: the field lives in our shadow root, not in the document.
          event.preventDefault();
          focusField(e.path);
        }}>${e.message}</a></li>`,
      )}
    </ul>
  </div>`;
}

/**
 * A form's Enter that commits a Telex/VNI (or any IME) composition is typing, not a submission. Browsers fire the
 * form's implicit submit in the same task as that keydown, so the keydown sets a flag that the submit handler reads
 * and a zero-delay timer clears once that task is over. `keyCode === 229` covers browsers (Android Chrome among
 * them) that report the composition only that way.
 *
 * Bind both handlers on the `<form>`: `@keydown=${this.#ime.keydown} @submit=${this.#ime.submit}`.
 */
export function compositionAwareSubmit(onSubmit: () => void): {
  keydown: (event: KeyboardEvent) => void;
  submit: (event: SubmitEvent) => void;
} {
  let composingEnter = false;
  return {
    keydown: (event) => {
      if (event.key !== 'Enter' || !(event.isComposing || event.keyCode === 229)) return;
      composingEnter = true;
      setTimeout(() => (composingEnter = false));
    },
    submit: (event) => {
      event.preventDefault();
      if (!composingEnter) onSubmit();
    },
  };
}
