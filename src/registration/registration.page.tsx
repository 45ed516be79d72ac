// Pages of central registration: step 1, the mobile code, step 2, the submitted notice,
// and the status page. Plain forms: everything works without JavaScript.
import { BIRTH_CERTIFICATE_SERIES_LETTERS } from '../identity/birthCertificate.js';
import { toPersianDigits } from '../identity/digits.js';
import { JALALI_MONTHS } from '../identity/jalali.js';
import { isMobileOperator, MOBILE_OPERATORS, operatorOfMobile } from '../identity/mobile.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CodeField, MobileField, NationalCodeField, CsrfField, ErrorSummary, Notice, RadioGroup, SelectField, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import { COUNTRIES, countryName } from './countries.js';
import type { FlowView, RegistrationStatus } from './registration.service.js';
import { SECURITY_QUESTIONS } from './securityQuestions.js';
import { PROVINCES } from './places.js';

type Values = Record<string, string>;

function Steps(props: { ctx: PageContext; current: 1 | 2 | 3 }) {
  const { ctx } = props;
  const steps: MessageKey[] = ['registration.step1', 'registration.step_code', 'registration.step2'];
  return (
    <ol class="steps">
      {steps.map((key, i) => (
        <li aria-current={i + 1 === props.current ? 'step' : undefined} safe>
          {ctx.t(key)}
        </li>
      ))}
    </ol>
  );
}

const digits = (ctx: PageContext, s: string) => (ctx.lang === 'fa' ? toPersianDigits(s) : s);

/** The seed's notice of steps 1 and 2: whose mobile, who answers for the data, the password. */
function SeedNotice(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <Notice kind="info">
      <h2 safe>{ctx.t('registration.notice_title')}</h2>
      <ul>
        <li safe>{ctx.t('registration.notice_identify')}</li>
        <li safe>{ctx.t('registration.notice_mobile_own')}</li>
        <li safe>{ctx.t('registration.notice_responsibility')}</li>
        <li safe>{ctx.t('registration.notice_password')}</li>
      </ul>
    </Notice>
  );
}

/**
 * The operator chosen is not the one the number's prefix was given to: said, not refused
 * (numbers move between operators).
 */
function OperatorNotice(props: { ctx: PageContext; flow: FlowView }) {
  const { ctx, flow } = props;
  const network = operatorOfMobile(flow.mobile);
  if (!network || !isMobileOperator(network) || network === flow.mobileOperator) return <></>;
  return (
    <Notice kind="warning">
      <p safe>
        {ctx.t('registration.operator_mismatch', {
          mobile: digits(ctx, flow.mobile),
          network: ctx.t(`registration.operator.${network}`),
          chosen: ctx.t(`registration.operator.${flow.mobileOperator}` as MessageKey),
        })}
      </p>
      <p>
        <a href="/register" safe>
          {ctx.t('registration.restart')}
        </a>
      </p>
    </Notice>
  );
}

/** How long the person has for the whole registration (the flow's lifetime). */
function TimeNote(props: { ctx: PageContext; minutes: number }) {
  return (
    <p class="hint" id="time-note" safe>
      {props.ctx.t('registration.time_note', { minutes: props.minutes })}
    </p>
  );
}

export function StartPage(props: {
  ctx: PageContext;
  values: Values;
  errors: FieldErrors;
  errorParams?: MessageParams | undefined;
  flowMinutes: number;
  /** The person came back after their flow expired; `kept` when step 2's answers are kept. */
  expired?: { kept: boolean };
}) {
  const { ctx, values, errors } = props;
  const labels = {
    nationalCode: ctx.t('registration.national_code'),
    mobileOperator: ctx.t('registration.mobile_operator'),
    mobile: ctx.t('registration.mobile'),
  };
  return (
    <Layout ctx={ctx} title={ctx.t('registration.title')}>
      <h1 safe>{ctx.t('registration.title')}</h1>
      <Steps ctx={ctx} current={1} />
      {props.expired ? (
        <Notice kind="warning">
          <p safe>{ctx.t('registration.expired_notice', { minutes: props.flowMinutes })}</p>
          {props.expired.kept ? <p safe>{ctx.t('registration.expired_kept')}</p> : ''}
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <SeedNotice ctx={ctx} />
      <form method="post" action="/register" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('registration.step1_intro')}</p>
        <TimeNote ctx={ctx} minutes={props.flowMinutes} />
        <NationalCodeField
          ctx={ctx}
          name="nationalCode"
          label={labels.nationalCode}
          hint={ctx.t('registration.national_code_hint')}
          value={values.nationalCode}
          errors={errors}
        />
        <SelectField
          ctx={ctx}
          name="mobileOperator"
          label={labels.mobileOperator}
          value={values.mobileOperator}
          errors={errors}
          placeholder={ctx.t('registration.mobile_operator_choose')}
          options={MOBILE_OPERATORS.map((op) => ({ value: op, label: ctx.t(`registration.operator.${op}`) }))}
        />
        <MobileField
          ctx={ctx}
          name="mobile"
          label={labels.mobile}
          hint={ctx.t('registration.mobile_hint')}
          value={values.mobile}
          errors={errors}
        />
        <div class="actions">
          <SubmitButton label={ctx.t('registration.continue')} />
        </div>
      </form>
    </Layout>
  );
}

export function CodePage(props: { ctx: PageContext; flow: FlowView; errors: FieldErrors; notice?: MessageKey; ttlMinutes: number; errorParams?: MessageParams }) {
  const { ctx, flow, errors } = props;
  const labels = { code: ctx.t('registration.code') };
  return (
    <Layout ctx={ctx} title={ctx.t('registration.step_code')}>
      <h1 safe>{ctx.t('registration.title')}</h1>
      <Steps ctx={ctx} current={2} />
      <OperatorNotice ctx={ctx} flow={flow} />
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action={`/register/flow/${flow.id}/code`} class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('registration.code_intro', { mobile: digits(ctx, flow.mobile) })}</p>
        <CodeField
          ctx={ctx}
          name="code"
          label={labels.code}
          hint={ctx.t('registration.code_hint', { minutes: props.ttlMinutes })}
          errors={errors} />
        <div class="actions">
          <SubmitButton label={ctx.t('registration.code_submit')} />
        </div>
      </form>
      <form method="post" action={`/register/flow/${flow.id}/resend`}>
        <CsrfField ctx={ctx} />
        <SubmitButton label={ctx.t('registration.code_resend')} secondary />
      </form>
    </Layout>
  );
}

export function DetailsPage(props: {
  ctx: PageContext;
  flow: FlowView;
  values: Values;
  errors: FieldErrors;
  passwordProblems: MessageKey[];
  passwordParams: { min: number; max: number; symbols: string };
  flowMinutes: number;
  /** The form was filled from what the person typed before their earlier flow expired. */
  restored?: boolean;
}) {
  const { ctx, flow, values, errors } = props;
  const labels: Record<string, string> = {
    firstName: ctx.t('registration.first_name'),
    lastName: ctx.t('registration.last_name'),
    birthCertificateNumber: ctx.t('registration.birth_certificate_number'),
    birthCertificateSerial: ctx.t('registration.birth_certificate_serial'),
    birthCertificateSeries: ctx.t('registration.birth_certificate_series'),
    birthDate: ctx.t('registration.birth_date'),
    gender: ctx.t('registration.gender'),
    country: ctx.t('registration.country'),
    province: ctx.t('registration.province'),
    city: ctx.t('registration.city'),
    cityAbroad: ctx.t('registration.city_abroad'),
    email: ctx.t('registration.email'),
    password: ctx.t('registration.password'),
    passwordConfirmation: ctx.t('registration.password_confirmation'),
    securityQuestion: ctx.t('registration.security_question'),
    securityAnswer: ctx.t('registration.security_answer'),
  };
  const dateError = errors.birthDate;
  const seriesError = errors.birthCertificateSeries;
  return (
    <Layout ctx={ctx} title={ctx.t('registration.step2')}>
      <h1 safe>{ctx.t('registration.title')}</h1>
      <Steps ctx={ctx} current={3} />
      {props.restored ? (
        <Notice kind="info">
          <p safe>{ctx.t('registration.restored_notice')}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.passwordParams} />
      <SeedNotice ctx={ctx} />
      <form method="post" action={`/register/flow/${flow.id}/details`} novalidate>
        <CsrfField ctx={ctx} />
        <div class="card">
          <p safe>{ctx.t('registration.details_intro')}</p>
          <TimeNote ctx={ctx} minutes={props.flowMinutes} />
          <p class="hint" safe>
            {ctx.t('registration.readonly_note')}
          </p>
          <div class="row two">
            <TextField ctx={ctx} name="ro_nationalCode" label={ctx.t('registration.national_code')} value={digits(ctx, flow.nationalCode)} errors={{}} readonly dir="ltr" />
            <TextField ctx={ctx} name="ro_mobile" label={ctx.t('registration.mobile')} value={digits(ctx, flow.mobile)} errors={{}} readonly dir="ltr" />
          </div>
          <TextField
            ctx={ctx}
            name="ro_mobileOperator"
            label={ctx.t('registration.mobile_operator')}
            value={ctx.t(`registration.operator.${flow.mobileOperator}` as MessageKey)}
            errors={{}}
            readonly
          />
          <input type="hidden" name="ro_mobileOperatorCode" value={flow.mobileOperator} />
        </div>
        <div class="card">
          <div class="row two">
            <TextField ctx={ctx} name="firstName" label={labels.firstName!} value={values.firstName} errors={errors} autocomplete="given-name" maxlength={50} />
            <TextField ctx={ctx} name="lastName" label={labels.lastName!} value={values.lastName} errors={errors} autocomplete="family-name" maxlength={50} />
          </div>
          <div class="row two">
            <TextField
              ctx={ctx}
              name="birthCertificateNumber"
              label={labels.birthCertificateNumber!}
              hint={ctx.t('registration.birth_certificate_number_hint')}
              value={values.birthCertificateNumber}
              errors={errors}
              inputmode="numeric"
              dir="ltr"
              maxlength={10}
            />
            <TextField
              ctx={ctx}
              name="birthCertificateSerial"
              label={labels.birthCertificateSerial!}
              hint={ctx.t('registration.birth_certificate_serial_hint')}
              value={values.birthCertificateSerial}
              errors={errors}
              inputmode="numeric"
              dir="ltr"
              maxlength={6}
            />
          </div>
          <fieldset class={seriesError ? 'field field-error' : 'field'} id="birthCertificateSeries">
            <legend safe>{labels.birthCertificateSeries}</legend>
            <p class="hint" safe>
              {ctx.t('registration.birth_certificate_series_hint')}
            </p>
            {seriesError ? (
              <p class="error-message" safe>
                {ctx.t(seriesError)}
              </p>
            ) : (
              ''
            )}
            <div class="row two">
              <SelectField
                ctx={ctx}
                name="birthCertificateSeriesLetter"
                label={ctx.t('registration.birth_certificate_series_letter')}
                value={values.birthCertificateSeriesLetter}
                errors={{}}
                placeholder="—"
                options={BIRTH_CERTIFICATE_SERIES_LETTERS.map((l) => ({ value: l, label: l }))}
              />
              <TextField
                ctx={ctx}
                name="birthCertificateSeriesNumber"
                label={ctx.t('registration.birth_certificate_series_number')}
                value={values.birthCertificateSeriesNumber}
                errors={{}}
                inputmode="numeric"
                dir="ltr"
                maxlength={2}
                size="short"
              />
            </div>
          </fieldset>
          <fieldset class={dateError ? 'field field-error' : 'field'} id="birthDate">
            <legend safe>{labels.birthDate}</legend>
            {dateError ? (
              <p class="error-message" safe>
                {ctx.t(dateError)}
              </p>
            ) : (
              ''
            )}
            <div class="row three">
              <TextField ctx={ctx} name="birthDay" label={ctx.t('registration.birth_day')} value={values.birthDay} errors={{}} inputmode="numeric" dir="ltr" maxlength={2} size="short" />
              <SelectField
                ctx={ctx}
                name="birthMonth"
                label={ctx.t('registration.birth_month')}
                value={values.birthMonth}
                errors={{}}
                placeholder="—"
                options={JALALI_MONTHS.map((m) => ({ value: String(m.number), label: ctx.lang === 'fa' ? m.fa : m.en }))}
              />
              <TextField ctx={ctx} name="birthYear" label={ctx.t('registration.birth_year')} value={values.birthYear} errors={{}} inputmode="numeric" dir="ltr" maxlength={4} size="short" />
            </div>
          </fieldset>
          <RadioGroup
            ctx={ctx}
            name="gender"
            label={labels.gender!}
            value={values.gender}
            errors={errors}
            options={[
              { value: 'male', label: ctx.t('registration.gender.male') },
              { value: 'female', label: ctx.t('registration.gender.female') },
            ]}
          />
          <SelectField
            ctx={ctx}
            name="country"
            label={labels.country!}
            value={values.country || 'IR'}
            errors={errors}
            options={COUNTRIES.map((c) => ({ value: c, label: countryName(c, ctx.lang) }))}
          />
          <div class="row two" data-place="iran">
            <SelectField
              ctx={ctx}
              name="province"
              label={labels.province!}
              hint={ctx.t('registration.province_hint')}
              value={values.province}
              errors={errors}
              optional
              placeholder={ctx.t('registration.mobile_operator_choose')}
              options={PROVINCES.map((p) => ({ value: p.name, label: p.name }))}
            />
            <CityField ctx={ctx} label={labels.city!} value={values.city} errors={errors} />
          </div>
          <div data-place="abroad">
            <TextField
              ctx={ctx}
              name="cityAbroad"
              label={labels.cityAbroad!}
              value={values.cityAbroad}
              errors={errors}
              autocomplete="address-level2"
              maxlength={80}
              optional
            />
          </div>
          <TextField ctx={ctx} name="email" label={labels.email!} value={values.email} errors={errors} type="email" inputmode="email" autocomplete="email" dir="ltr" optional maxlength={254} />
        </div>
        <div class="card">
          <TextField
            ctx={ctx}
            name="password"
            label={labels.password!}
            hint={ctx.t('registration.password_hint', { min: props.passwordParams.min })}
            errors={errors}
            errorList={(props.passwordProblems.length ? props.passwordProblems : errors.password ? [errors.password] : []).map((p) => ctx.t(p, props.passwordParams))}
            type="password"
            autocomplete="new-password"
            dir="ltr"
            maxlength={128}
          />
          <TextField
            ctx={ctx}
            name="passwordConfirmation"
            label={labels.passwordConfirmation!}
            errors={errors}
            type="password"
            autocomplete="new-password"
            dir="ltr"
            maxlength={128}
          />
          <SelectField
            ctx={ctx}
            name="securityQuestion"
            label={labels.securityQuestion!}
            hint={ctx.t('registration.security_question_hint')}
            value={values.securityQuestion}
            errors={errors}
            placeholder={ctx.t('registration.mobile_operator_choose')}
            options={SECURITY_QUESTIONS.map((q) => ({ value: q, label: ctx.t(`security_question.${q}`) }))}
          />
          <TextField ctx={ctx} name="securityAnswer" label={labels.securityAnswer!} value={values.securityAnswer} errors={errors} autocomplete="off" maxlength={100} />
          <div class="actions">
            <SubmitButton label={ctx.t('registration.submit')} />
          </div>
        </div>
      </form>
    </Layout>
  );
}

/**
 * The city, grouped by province: works without JavaScript (pick from the groups); with it,
 * the province list above narrows the choice (app.js).
 */
function CityField(props: { ctx: PageContext; label: string; value: string | undefined; errors: FieldErrors }) {
  const { ctx } = props;
  const error = props.errors.city;
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for="city" safe>
        {props.label}
      </label>
      {error ? (
        <p class="error-message" id="city-error" safe>
          {ctx.t(error)}
        </p>
      ) : (
        ''
      )}
      <select class="input" id="city" name="city" aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'city-error' : undefined} autocomplete="address-level2">
        <option value="" safe>
          {ctx.t('registration.mobile_operator_choose')}
        </option>
        {PROVINCES.map((p) => (
          <optgroup label={p.name} data-province={p.name}>
            {p.cities.map((c) => (
              <option value={c} selected={c === props.value} safe>
                {c}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

export function SubmittedPage(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('registration.submitted_title')}>
      <h1 safe>{ctx.t('registration.submitted_title')}</h1>
      <Notice kind="success">
        <p safe>{ctx.t('registration.submitted_text')}</p>
      </Notice>
      <Notice kind="info">
        <ul>
          <li safe>{ctx.t('registration.submitted_not_account')}</li>
          <li safe>{ctx.t('registration.submitted_mismatch')}</li>
          <li safe>{ctx.t('registration.submitted_branch')}</li>
        </ul>
      </Notice>
      <p>
        <a href="/register/status" safe>
          {ctx.t('registration.submitted_status_link')}
        </a>
      </p>
    </Layout>
  );
}

export function FlowProblemPage(props: { ctx: PageContext; message: MessageKey }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('registration.title')}>
      <h1 safe>{ctx.t('registration.title')}</h1>
      <Notice kind="warning">
        <p safe>{ctx.t(props.message)}</p>
      </Notice>
      <p>
        <a class="button" href="/register" safe>
          {ctx.t('registration.restart')}
        </a>
      </p>
    </Layout>
  );
}

export function StatusPage(props: { ctx: PageContext; values: Values; errors: FieldErrors; status?: RegistrationStatus; errorParams?: MessageParams }) {
  const { ctx, values, errors } = props;
  const labels = { nationalCode: ctx.t('registration.national_code'), mobile: ctx.t('registration.mobile') };
  return (
    <Layout ctx={ctx} title={ctx.t('status.title')}>
      <h1 safe>{ctx.t('status.title')}</h1>
      {props.status ? (
        <Notice kind={props.status === 'active' ? 'success' : props.status === 'none' || props.status === 'rejected' ? 'warning' : 'info'}>
          <h2 safe>{ctx.t('status.result_title')}</h2>
          <p safe>{ctx.t(`status.${props.status}`)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action="/register/status" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('status.intro')}</p>
        <NationalCodeField ctx={ctx} name="nationalCode" label={labels.nationalCode} value={values.nationalCode} errors={errors} />
        <MobileField ctx={ctx} name="mobile" label={labels.mobile} value={values.mobile} errors={errors} />
        <div class="actions">
          <SubmitButton label={ctx.t('status.submit')} />
        </div>
      </form>
    </Layout>
  );
}
