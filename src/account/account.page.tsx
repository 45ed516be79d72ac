// The person's own pages: profile (read-only identity), password (also the forced change),
// email, security question, mobile number, sessions.
import { permissionName } from '../accounts/permissions.js';
import { describeUserAgent } from '../web/userAgent.js';
import { toPersianDigits } from '../identity/digits.js';
import { formatJalaliDate, formatJalaliDateTime, gregorianIsoToJalali } from '../identity/jalali.js';
import { SECURITY_QUESTIONS } from '../registration/securityQuestions.js';
import type { SessionListItem } from '../signin/sessions.service.js';
import { KeyboardMount, KeyboardScript } from '../signin/signin.page.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CodeField, MobileField, CsrfField, ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import type { Profile } from './account.service.js';
import { AccountDoctorSection } from '../doctors/doctors.page.js';
import type { DoctorSummary } from '../doctors/doctors.service.js';

type Values = Record<string, string>;

const digits = (ctx: PageContext, s: string) => (ctx.lang === 'fa' ? toPersianDigits(s) : s);
const questionKey = (q: string) => `security_question.${q}` as MessageKey;

function BackLink(props: { ctx: PageContext }) {
  return (
    <p>
      <a href="/account" safe>
        {props.ctx.t('account.back')}
      </a>
    </p>
  );
}

function SignOutForm(props: { ctx: PageContext }) {
  return (
    <form method="post" action="/signout" class="inline-form">
      <CsrfField ctx={props.ctx} />
      <SubmitButton label={props.ctx.t('session.signout')} secondary />
    </form>
  );
}

export function ProfilePage(props: { ctx: PageContext; profile: Profile; notice?: MessageKey | undefined; doctor?: DoctorSummary | null }) {
  const { ctx, profile: p } = props;
  const birth = p.birthDate ? formatJalaliDate(gregorianIsoToJalali(p.birthDate), ctx.lang) : '—';
  const rows: [string, string][] = [
    p.nationalCode ? [ctx.t('account.national_code'), digits(ctx, p.nationalCode)] : [ctx.t('account.foreign_national_id'), digits(ctx, p.foreignNationalId ?? '')],
    [ctx.t('account.first_name'), p.firstName ?? '—'],
    [ctx.t('account.last_name'), p.lastName ?? '—'],
    [ctx.t('account.birth_date'), birth],
    [ctx.t('account.gender'), p.gender ? ctx.t(p.gender === 'male' ? 'account.gender_male' : 'account.gender_female') : '—'],
  ];
  const nav: [string, MessageKey, string][] = [
    ['/account/password', 'account.nav_password', ''],
    ['/account/email', 'account.nav_email', p.email ?? ctx.t('account.email_none')],
    ['/account/security-question', 'account.nav_question', p.securityQuestion ? ctx.t(questionKey(p.securityQuestion)) : '—'],
    ['/account/mobile', 'account.nav_mobile', p.mobile ? digits(ctx, p.mobile) : '—'],
    ['/account/sessions', 'account.nav_sessions', ''],
    ['/account/passkeys', 'passkeys.title', ''],
  ];
  return (
    <Layout ctx={ctx} title={ctx.t('account.title')}>
      <div class="title-row">
        <h1 safe>{ctx.t('account.title')}</h1>
        <SignOutForm ctx={ctx} />
      </div>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title" safe>
          {ctx.t('account.profile')}
        </h2>
        <dl class="summary-list">
          {rows.map(([k, v]) => (
            <>
              <dt safe>{k}</dt>
              <dd safe>{v}</dd>
            </>
          ))}
        </dl>
        <p class="hint" safe>
          {ctx.t('account.profile_note')}
        </p>
      </section>
      <section class="card" aria-labelledby="settings-title">
        <h2 id="settings-title" class="visually-hidden" safe>
          {ctx.t('account.change')}
        </h2>
        <ul class="settings-list">
          {nav.map(([href, key, value]) => (
            <li>
              <a href={href} safe>
                {ctx.t(key)}
              </a>
              {value ? (
                <span class="muted" safe>
                  {value}
                </span>
              ) : (
                ''
              )}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="permissions-title">
        <h2 id="permissions-title" safe>
          {ctx.t('account.permissions')}
        </h2>
        {p.permissions.length ? (
          <ul>
            {p.permissions.map((perm) => (
              <li title={perm} safe>
                {permissionName(ctx.lang, perm)}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted" safe>
            {ctx.t('account.permissions_none')}
          </p>
        )}
      </section>
      {props.doctor !== undefined ? <AccountDoctorSection ctx={ctx} doctor={props.doctor} /> : ''}
    </Layout>
  );
}

export function PasswordPage(props: {
  ctx: PageContext;
  errors: FieldErrors;
  problems: MessageKey[];
  forced: boolean;
  askCurrent: boolean;
  passwordParams: { min: number; max: number; symbols: string };
  next?: string | undefined;
}) {
  const { ctx, errors } = props;
  const labels = {
    currentPassword: ctx.t('account.current_password'),
    newPassword: ctx.t('account.new_password'),
    newPasswordConfirmation: ctx.t('account.new_password_confirmation'),
  };
  return (
    <Layout ctx={ctx} title={ctx.t('account.password_title')}>
      <div class="title-row">
        <h1 safe>{ctx.t('account.password_title')}</h1>
        {props.forced ? <SignOutForm ctx={ctx} /> : ''}
      </div>
      {props.forced ? (
        <Notice kind="warning">
          <p safe>{ctx.t('account.password_forced')}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.passwordParams} />
      <form method="post" action="/account/password" class="card" novalidate>
        <CsrfField ctx={ctx} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
        {props.askCurrent ? (
          <TextField ctx={ctx} name="currentPassword" label={labels.currentPassword} errors={errors} type="password" autocomplete="current-password" dir="ltr" size="medium" />
        ) : (
          ''
        )}
        <TextField
          ctx={ctx}
          name="newPassword"
          label={labels.newPassword}
          hint={ctx.t('account.new_password_hint', { min: props.passwordParams.min })}
          errors={errors}
          errorList={(props.problems.length ? props.problems : errors.newPassword ? [errors.newPassword] : []).map((p) => ctx.t(p, props.passwordParams))}
          type="password"
          autocomplete="new-password"
          dir="ltr"
          size="medium"
        />
        <KeyboardMount ctx={ctx} target="newPassword" />
        <TextField
          ctx={ctx}
          name="newPasswordConfirmation"
          label={labels.newPasswordConfirmation}
          errors={errors}
          type="password"
          autocomplete="new-password"
          dir="ltr"
          size="medium"
        />
        <div class="actions">
          <SubmitButton label={ctx.t('account.password_save')} />
        </div>
      </form>
      {props.forced ? '' : <BackLink ctx={ctx} />}
      <KeyboardScript />
    </Layout>
  );
}

export function EmailPage(props: { ctx: PageContext; values: Values; errors: FieldErrors }) {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('account.email_title')}>
      <h1 safe>{ctx.t('account.email_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ email: ctx.t('account.email') }} />
      <form method="post" action="/account/email" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <TextField ctx={ctx} name="email" label={ctx.t('account.email')} hint={ctx.t('account.email_hint')} value={props.values.email} errors={errors} type="email" inputmode="email" autocomplete="email" dir="ltr" optional />
        <div class="actions">
          <SubmitButton label={ctx.t('account.save')} />
        </div>
      </form>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export function QuestionPage(props: { ctx: PageContext; values: Values; errors: FieldErrors }) {
  const { ctx, errors } = props;
  const labels = {
    securityQuestion: ctx.t('account.security_question'),
    securityAnswer: ctx.t('account.answer'),
    currentPassword: ctx.t('account.current_password'),
  };
  return (
    <Layout ctx={ctx} title={ctx.t('account.question_title')}>
      <h1 safe>{ctx.t('account.question_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action="/account/security-question" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <SelectField
          ctx={ctx}
          name="securityQuestion"
          label={labels.securityQuestion}
          value={props.values.securityQuestion}
          errors={errors}
          placeholder={ctx.t('account.question_choose')}
          options={SECURITY_QUESTIONS.map((q) => ({ value: q, label: ctx.t(questionKey(q)) }))}
        />
        <TextField ctx={ctx} name="securityAnswer" label={labels.securityAnswer} value={props.values.securityAnswer} errors={errors} autocomplete="off" />
        <TextField ctx={ctx} name="currentPassword" label={labels.currentPassword} errors={errors} type="password" autocomplete="current-password" dir="ltr" size="medium" />
        <div class="actions">
          <SubmitButton label={ctx.t('account.save')} />
        </div>
      </form>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export function MobilePage(props: { ctx: PageContext; values: Values; errors: FieldErrors; errorParams?: MessageParams | undefined; current: string | null }) {
  const { ctx, errors } = props;
  const labels = { mobile: ctx.t('account.new_mobile'), currentPassword: ctx.t('account.current_password') };
  return (
    <Layout ctx={ctx} title={ctx.t('account.mobile_title')}>
      <h1 safe>{ctx.t('account.mobile_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action="/account/mobile" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('account.mobile_intro')}</p>
        {props.current ? (
          <p>
            <span safe>{ctx.t('account.mobile') + ': '}</span>
            <strong class="ltr" safe>
              {digits(ctx, props.current)}
            </strong>
          </p>
        ) : (
          ''
        )}
        <MobileField ctx={ctx} name="mobile" label={labels.mobile} value={props.values.mobile} errors={errors} />
        <TextField ctx={ctx} name="currentPassword" label={labels.currentPassword} errors={errors} type="password" autocomplete="current-password" dir="ltr" size="medium" />
        <div class="actions">
          <SubmitButton label={ctx.t('account.mobile_send')} />
        </div>
      </form>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export function MobileCodePage(props: { ctx: PageContext; flowId: string; mobile: string; errors: FieldErrors }) {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('account.mobile_title')}>
      <h1 safe>{ctx.t('account.mobile_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ code: ctx.t('account.code') }} />
      <form method="post" action={`/account/mobile/${props.flowId}`} class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('account.mobile_code_intro', { mobile: digits(ctx, props.mobile) })}</p>
        <CodeField ctx={ctx} name="code" label={ctx.t('account.code')} errors={errors} maxlength={10} />
        <div class="actions">
          <SubmitButton label={ctx.t('account.code_submit')} />
        </div>
      </form>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export function SessionsPage(props: { ctx: PageContext; sessions: SessionListItem[]; notice?: MessageKey | undefined; error?: MessageKey | undefined }) {
  const { ctx } = props;
  const when = (d: Date) => formatJalaliDateTime(d, ctx.lang);
  const others = props.sessions.some((s) => !s.current);
  return (
    <Layout ctx={ctx} title={ctx.t('account.sessions_title')} wide>
      <h1 safe>{ctx.t('account.sessions_title')}</h1>
      <p safe>{ctx.t('account.sessions_intro')}</p>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      {props.error ? (
        <Notice kind="warning">
          <p safe>{ctx.t(props.error)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ul class="session-list">
        {props.sessions.map((s) => (
          <li class="card">
            <p>
              <strong safe>{ctx.t(s.kind === 'web' ? 'account.session_kind_web' : 'account.session_kind_api')}</strong>
              {s.current ? (
                <span class="session-current" safe>
                  {ctx.t('account.session_current')}
                </span>
              ) : (
                ''
              )}
            </p>
            <dl class="summary-list">
              <dt safe>{ctx.t('account.session_device')}</dt>
              <dd title={s.userAgent ?? undefined} safe>
                {describeUserAgent(s.userAgent, ctx.lang) ?? ctx.t('web.device_unknown')}
              </dd>
              <dt safe>{ctx.t('account.session_address')}</dt>
              <dd class="ltr" safe>
                {digits(ctx, s.ip ?? '—')}
              </dd>
              <dt safe>{ctx.t('account.session_started')}</dt>
              <dd safe>{when(s.createdAt)}</dd>
              <dt safe>{ctx.t('account.session_last_seen')}</dt>
              <dd safe>{when(s.lastSeenAt)}</dd>
            </dl>
            {s.current ? (
              ''
            ) : (
              <form method="post" action={`/account/sessions/${s.id}/end`}>
                <CsrfField ctx={ctx} />
                <SubmitButton label={ctx.t('account.session_end')} secondary />
              </form>
            )}
          </li>
        ))}
      </ul>
      {others ? (
        <form method="post" action="/account/sessions/end-others">
          <CsrfField ctx={ctx} />
          <SubmitButton label={ctx.t('account.sessions_end_others')} />
        </form>
      ) : (
        ''
      )}
      <BackLink ctx={ctx} />
    </Layout>
  );
}
