// Shared form pieces: every field shows its label, hint and its own error; the summary
// at the top links to each field with an error.
import type { FieldErrors, PageContext } from './context.js';
import type { MessageKey, MessageParams } from './i18n.js';

export function CsrfField(props: { ctx: PageContext }) {
  return <input type="hidden" name="_csrf" value={props.ctx.csrfToken} />;
}

/** A limit reached or a lock: the person did nothing wrong, so no «please correct». */
function LimitNotice(props: { ctx: PageContext; code: MessageKey; params?: MessageParams | undefined }) {
  return (
    <div class="notice notice-warning notice-limit" role="alert" id="limit-notice">
      <p safe>{props.ctx.t(props.code, props.params)}</p>
    </div>
  );
}

export function ErrorSummary(props: { ctx: PageContext; errors: FieldErrors; labels: Record<string, string>; params?: MessageParams | undefined }) {
  const limit = props.errors._limit;
  const entries = Object.entries(props.errors).filter((e): e is [string, MessageKey] => e[1] !== undefined && e[0] !== '_limit');
  if (entries.length === 0) return limit ? <LimitNotice ctx={props.ctx} code={limit} params={props.params} /> : <></>;
  return (
    <>
      {limit ? <LimitNotice ctx={props.ctx} code={limit} params={props.params} /> : ''}
      <ErrorList {...props} entries={entries} />
    </>
  );
}

function ErrorList(props: { ctx: PageContext; entries: [string, MessageKey][]; labels: Record<string, string>; params?: MessageParams | undefined }) {
  const entries = props.entries;
  return (
    <div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title" safe>
        {props.ctx.t('form.error_summary_title')}
      </h2>
      <ul>
        {entries.map(([field, code]) =>
          field === '_form' ? (
            <li safe>{props.ctx.t(code, props.params)}</li>
          ) : (
            <li>
              <a href={`#${field}`}>
                <span safe>{props.labels[field] ?? field}</span>: <span safe>{props.ctx.t(code, props.params)}</span>
              </a>
            </li>
          ),
        )}
      </ul>
    </div>
  );
}

type CommonFieldProps = {
  ctx: PageContext;
  name: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
  optional?: boolean;
  /** Every problem of the field, already translated (shown instead of the single error). */
  errorList?: string[];
};

function describedBy(name: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldFrame(props: CommonFieldProps & { children: JSX.Element }) {
  const error = props.errors[props.name];
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={props.name}>
        <span safe>{props.label}</span>
        {props.optional ? (
          <span class="optional" safe>
            {' ' + props.ctx.t('form.optional')}
          </span>
        ) : (
          ''
        )}
      </label>
      {props.hint ? (
        <p class="hint" id={`${props.name}-hint`} safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      {error && props.errorList && props.errorList.length > 1 ? (
        <ul class="error-message" id={`${props.name}-error`}>
          {props.errorList.map((e) => (
            <li safe>{e}</li>
          ))}
        </ul>
      ) : error ? (
        <p class="error-message" id={`${props.name}-error`} safe>
          {props.errorList?.[0] ?? props.ctx.t(error)}
        </p>
      ) : (
        ''
      )}
      {props.children as 'safe'}
    </div>
  );
}

export function TextField(
  props: CommonFieldProps & {
    value?: string;
    type?: 'text' | 'password' | 'email' | 'tel';
    inputmode?: 'numeric' | 'tel' | 'email' | 'text';
    autocomplete?: string;
    dir?: 'ltr' | 'rtl' | 'auto';
    readonly?: boolean;
    maxlength?: number;
    size?: 'short' | 'medium' | 'long';
  },
) {
  const error = props.errors[props.name];
  return (
    <FieldFrame {...props}>
      <input
        class={`input ${props.size ?? 'long'}`}
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        inputmode={props.inputmode}
        autocomplete={props.autocomplete}
        dir={props.dir}
        readonly={props.readonly}
        maxlength={props.maxlength}
        required={!props.optional && !props.readonly}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, !!props.hint, !!error)}
      />
    </FieldFrame>
  );
}

export function SelectField(
  props: CommonFieldProps & { value?: string; options: { value: string; label: string }[]; placeholder?: string },
) {
  const error = props.errors[props.name];
  return (
    <FieldFrame {...props}>
      <select
        class="input"
        id={props.name}
        name={props.name}
        required={!props.optional}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, !!props.hint, !!error)}
      >
        {props.placeholder !== undefined ? (
          <option value="" safe>
            {props.placeholder}
          </option>
        ) : (
          ''
        )}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value} safe>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function RadioGroup(
  props: CommonFieldProps & { value?: string; options: { value: string; label: string }[] },
) {
  const error = props.errors[props.name];
  return (
    <fieldset class={error ? 'field field-error' : 'field'} id={props.name} aria-describedby={error ? `${props.name}-error` : undefined}>
      <legend safe>{props.label}</legend>
      {error ? (
        <p class="error-message" id={`${props.name}-error`} safe>
          {props.ctx.t(error)}
        </p>
      ) : (
        ''
      )}
      <div class="radios">
        {props.options.map((o) => (
          <label class="radio">
            <input type="radio" name={props.name} value={o.value} checked={o.value === props.value} required />
            <span safe>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function SubmitButton(props: { label: string; name?: string; value?: string; secondary?: boolean }) {
  return (
    <button type="submit" class={props.secondary ? 'button secondary' : 'button'} name={props.name} value={props.value} safe>
      {props.label}
    </button>
  );
}

export function Notice(props: { kind: 'info' | 'success' | 'warning'; children: JSX.Element | JSX.Element[] }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'info' ? 'status' : 'alert'}>
      {props.children as 'safe'}
    </div>
  );
}

/** A national code or other identifier typed in digits: numeric keypad, left to right. */
export function NationalCodeField(props: CommonFieldProps & { value?: string; autocomplete?: string; maxlength?: number }) {
  return <TextField {...props} inputmode="numeric" autocomplete={props.autocomplete ?? 'off'} dir="ltr" maxlength={props.maxlength ?? 14} size="medium" />;
}

/** A mobile number in any of the accepted forms (09…, +989…, 00989…). */
export function MobileField(props: CommonFieldProps & { value?: string }) {
  return <TextField {...props} type="tel" inputmode="tel" autocomplete="tel-national" dir="ltr" maxlength={16} size="medium" />;
}

/** A one-time code received by SMS or from an authenticator app (never echoed back). */
export function CodeField(props: CommonFieldProps & { maxlength?: number }) {
  return <TextField {...props} inputmode="numeric" autocomplete="one-time-code" dir="ltr" maxlength={props.maxlength ?? 6} size="short" />;
}
