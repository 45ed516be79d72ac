// Pages of insured registration: the terms, the form (branch search works without
// JavaScript; with it, suggestions appear as one types) and the success page.
import { toPersianDigits } from '../identity/digits.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { MobileField, NationalCodeField, CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import type { BranchView } from './branches.service.js';

type Values = Record<string, string>;

declare global {
  namespace JSX {
    interface IntrinsicElements {
      /** The ALTCHA widget (custom element from altcha.min.js). */
      'altcha-widget': { name: string; challenge: string; configuration?: string; 'data-strings'?: string; children?: never };
    }
  }
}

const digits = (ctx: PageContext, s: string) => (ctx.lang === 'fa' ? toPersianDigits(s) : s);

/** Scripts and styles of the form; kept out of the shared layout (only this page needs them). */
function Assets() {
  return (
    <>
      <link rel="stylesheet" href="/static/vendor/altcha.css" />
      <link rel="stylesheet" href="/static/insured.css" />
      <script type="module" src="/static/vendor/altcha.min.js"></script>
      <script src="/static/captcha.js" defer></script>
      <script src="/static/insured.js" defer></script>
    </>
  );
}

/** The branch's name in the page's language (the English one when the list has it). */
export const branchName = (ctx: PageContext, b: { name: string; nameEn?: string | null }) => (ctx.lang === 'en' && b.nameEn ? b.nameEn : b.name);

export function TermsPage(props: { ctx: PageContext; paragraphs: string[]; error?: boolean }) {
  const { ctx } = props;
  const errors: FieldErrors = props.error ? { acceptTerms: 'insured.terms_required' } : {};
  return (
    <Layout ctx={ctx} title={ctx.t('insured.terms_title')}>
      <h1 safe>{ctx.t('insured.title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ acceptTerms: ctx.t('insured.terms_accept') }} />
      <form method="get" action="/insured/register/form" class="card" novalidate>
        <h2 safe>{ctx.t('insured.terms_title')}</h2>
        <div class="terms" id="terms-text">
          {props.paragraphs.map((p) => (
            <p safe>{p}</p>
          ))}
        </div>
        <div class={props.error ? 'field field-error' : 'field'}>
          {props.error ? (
            <p class="error-message" id="acceptTerms-error" safe>
              {ctx.t('insured.terms_required')}
            </p>
          ) : (
            ''
          )}
          <label class="radio">
            <input type="checkbox" id="acceptTerms" name="acceptTerms" value="1" required aria-describedby={props.error ? 'acceptTerms-error' : 'terms-text'} />
            <span safe>{ctx.t('insured.terms_accept')}</span>
          </label>
        </div>
        <div class="actions">
          <SubmitButton label={ctx.t('insured.terms_continue')} />
        </div>
      </form>
    </Layout>
  );
}

function BranchField(props: { ctx: PageContext; values: Values; errors: FieldErrors; results: BranchView[] | null; selected: BranchView | null }) {
  const { ctx, values, errors, results, selected } = props;
  const error = errors.branchCode;
  const describedBy = ['branchCode-hint', error ? 'branchCode-error' : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field field-error branch-field' : 'field branch-field'} data-branch-field>
      <label for="branchCode" safe>
        {ctx.t('insured.branch')}
      </label>
      <p class="hint" id="branchCode-hint" safe>
        {ctx.t('insured.branch_hint')}
      </p>
      {error ? (
        <p class="error-message" id="branchCode-error" safe>
          {ctx.t(error)}
        </p>
      ) : (
        ''
      )}
      <div class="branch-search">
        {/* The id is the field's (errors link to it); the name is the search text. */}
        <input
          class="input"
          id="branchCode"
          name="branchQuery"
          type="text"
          value={values.branchQuery ?? (selected ? branchName(ctx, selected) : undefined)}
          autocomplete="off"
          maxlength={60}
          aria-describedby={describedBy}
          aria-invalid={error ? 'true' : undefined}
          data-branch-input
        />
        <button type="submit" class="button secondary" name="intent" value="search_branch" data-branch-search safe>
          {ctx.t('insured.branch_search')}
        </button>
      </div>
      <ul class="branch-suggestions" id="branch-suggestions" role="listbox" aria-label={ctx.t('insured.branch_results')} hidden data-branch-list></ul>
      {results !== null ? (
        results.length === 0 ? (
          <p class="hint" role="status" safe>
            {ctx.t('insured.branch_no_results')}
          </p>
        ) : (
          <fieldset class="branch-results" data-branch-results>
            <legend safe>{ctx.t('insured.branch_results')}</legend>
            {results.map((b) => (
              <label class="radio">
                <input type="radio" name="branchCode" value={b.code} checked={results.length === 1 || b.code === values.branchCode} />
                <span safe>{`${branchName(ctx, b)} (${b.city})`}</span>
              </label>
            ))}
          </fieldset>
        )
      ) : selected ? (
        <>
          <input type="hidden" name="branchCode" value={selected.code} data-branch-code />
          <p class="hint branch-selected" data-branch-selected data-template={ctx.t('insured.branch_selected', { name: '' })} safe>
            {ctx.t('insured.branch_selected', { name: `${branchName(ctx, selected)} (${selected.city})` })}
          </p>
        </>
      ) : (
        <>
          <input type="hidden" name="branchCode" value="" data-branch-code />
          <p class="hint branch-selected" data-branch-selected data-template={ctx.t('insured.branch_selected', { name: '' })} hidden></p>
        </>
      )}
    </div>
  );
}

/** ALTCHA widget options (texts go through data-strings: insured.js registers them). */
export function captchaConfiguration(_ctx: PageContext): string {
  return JSON.stringify({ hideFooter: true });
}

/** The widget's texts from our catalogs, for `$altcha.i18n` of the page's language. */
export function captchaStrings(ctx: PageContext): string {
  return JSON.stringify({
    label: ctx.t('captcha.label'),
    verifying: ctx.t('captcha.verifying'),
    verified: ctx.t('captcha.verified'),
    error: ctx.t('captcha.error'),
    expired: ctx.t('captcha.expired_widget'),
    verify: ctx.t('captcha.verify'),
    waitAlert: ctx.t('captcha.wait'),
    verificationRequired: ctx.t('captcha.required'),
  });
}

export function FormPage(props: {
  ctx: PageContext;
  values: Values;
  errors: FieldErrors;
  errorParams?: MessageParams | undefined;
  branchResults: BranchView[] | null;
  selectedBranch: BranchView | null;
  mobileRequired: boolean;
}) {
  const { ctx, values, errors } = props;
  const foreign = values.isForeignNational === '1';
  const labels: Record<string, string> = {
    nationalCode: ctx.t('insured.national_code'),
    foreignNationalId: ctx.t('insured.foreign_national_id'),
    branchCode: ctx.t('insured.branch'),
    insuranceNumber: ctx.t('insured.insurance_number'),
    mobile: ctx.t('insured.mobile'),
    email: ctx.t('insured.email'),
    captcha: ctx.t('insured.captcha'),
    acceptTerms: ctx.t('insured.terms_accept'),
  };
  const captchaError = errors.captcha;
  return (
    <Layout ctx={ctx} title={ctx.t('insured.title')}>
      <Assets />
      <h1 safe>{ctx.t('insured.title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action="/insured/register" novalidate data-insured-form>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="acceptTerms" value="1" />
        <div class="card">
          <p safe>{ctx.t('insured.form_intro')}</p>
          <div class="field">
            <label class="radio">
              <input type="checkbox" id="isForeignNational" name="isForeignNational" value="1" checked={foreign} data-foreign-toggle />
              <span safe>{ctx.t('insured.is_foreign_national')}</span>
            </label>
          </div>
          <div data-when-national>
            <NationalCodeField
              ctx={ctx}
              name="nationalCode"
              label={labels.nationalCode!}
              hint={ctx.t('insured.national_code_hint')}
              value={values.nationalCode}
              errors={errors}
            />
          </div>
          <div data-when-foreign class="foreign-block">
            <TextField
              ctx={ctx}
              name="foreignNationalId"
              label={labels.foreignNationalId!}
              hint={ctx.t('insured.foreign_national_id_hint')}
              value={values.foreignNationalId}
              errors={errors}
              inputmode="numeric"
              autocomplete="off"
              dir="ltr"
              maxlength={16}
              size="medium"
            />
          </div>
          <BranchField ctx={ctx} values={values} errors={errors} results={props.branchResults} selected={props.selectedBranch} />
          <TextField
            ctx={ctx}
            name="insuranceNumber"
            label={labels.insuranceNumber!}
            hint={ctx.t('insured.insurance_number_hint')}
            value={values.insuranceNumber}
            errors={errors}
            inputmode="numeric"
            autocomplete="off"
            dir="ltr"
            maxlength={14}
            size="medium"
          />
        </div>
        <div class="card">
          <h2 safe>{ctx.t('insured.contact_title')}</h2>
          <MobileField
            ctx={ctx}
            name="mobile"
            label={labels.mobile!}
            hint={ctx.t(props.mobileRequired ? 'insured.mobile_hint_sms' : 'insured.mobile_hint')}
            value={values.mobile}
            errors={errors}
            optional={!props.mobileRequired}
          />
          <TextField
            ctx={ctx}
            name="email"
            label={labels.email!}
            value={values.email}
            errors={errors}
            type="email"
            inputmode="email"
            autocomplete="email"
            dir="ltr"
            maxlength={254}
            optional
          />
        </div>
        <div class="card">
          <div class={captchaError ? 'field field-error' : 'field'} id="captcha">
            <p class="label-like" safe>
              {labels.captcha}
            </p>
            <p class="hint" id="captcha-hint" safe>
              {ctx.t('insured.captcha_hint')}
            </p>
            {captchaError ? (
              <p class="error-message" id="captcha-error" safe>
                {ctx.t(captchaError)}
              </p>
            ) : (
              ''
            )}
            <altcha-widget name="captcha" challenge="/api/v1/captcha" configuration={captchaConfiguration(ctx)} data-strings={captchaStrings(ctx)}></altcha-widget>
            <noscript>
              <p class="error-message" safe>
                {ctx.t('insured.captcha_noscript')}
              </p>
            </noscript>
          </div>
          <div class="actions">
            <SubmitButton label={ctx.t('insured.submit')} name="intent" value="register" />
          </div>
        </div>
      </form>
    </Layout>
  );
}

export function SuccessPage(props: { ctx: PageContext; username: string; initialPassword: 'identifier' | 'sms'; days: number }) {
  const { ctx } = props;
  const text: MessageKey = props.initialPassword === 'sms' ? 'insured.success_sms' : 'insured.success_identifier';
  return (
    <Layout ctx={ctx} title={ctx.t('insured.success_title')}>
      <h1 safe>{ctx.t('insured.title')}</h1>
      <Notice kind="success">
        <h2 safe>{ctx.t('insured.success_title')}</h2>
        <p safe>{ctx.t('insured.success_username', { username: digits(ctx, props.username) })}</p>
        <p safe>{ctx.t(text, { days: props.days })}</p>
      </Notice>
      <p>
        <a class="button" href="/signin" safe>
          {ctx.t('insured.success_signin')}
        </a>
      </p>
    </Layout>
  );
}

/** The success page after its short life (or opened directly): where to go from here. */
export function SuccessGonePage(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('insured.success_gone_title')}>
      <h1 safe>{ctx.t('insured.success_gone_title')}</h1>
      <p safe>{ctx.t('insured.success_gone')}</p>
      <p>
        <a class="button" href="/signin" safe>
          {ctx.t('insured.success_signin')}
        </a>
      </p>
    </Layout>
  );
}

/** The main page's tile: the link and the note that only some groups may register. */
export function InsuredTile(props: { ctx: PageContext; groups: readonly string[] }) {
  const { ctx } = props;
  const sep = ctx.lang === 'fa' ? '، ' : ', ';
  const groups = props.groups.map((g) => ctx.t(`insured.group.${g}` as MessageKey)).join(sep);
  return (
    <a class="tile" href="/insured/register">
      <h2 safe>{ctx.t('insured.home_title')}</h2>
      <p safe>{ctx.t('insured.home_text')}</p>
      <p class="hint" safe>
        {ctx.t('insured.home_note', { groups })}
      </p>
    </a>
  );
}
