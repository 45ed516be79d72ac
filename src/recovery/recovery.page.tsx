// Pages of password recovery: the choice, the security question (two steps) and SMS.
import type { FieldErrors, PageContext } from '../web/context.js';
import { MobileField, NationalCodeField, CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import { KeyboardMount, KeyboardScript } from '../signin/signin.page.js';

type Values = Record<string, string>;

export function RecoveryChoicePage(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('recovery.title')}>
      <h1 safe>{ctx.t('recovery.title')}</h1>
      <p safe>{ctx.t('recovery.intro')}</p>
      <nav class="tiles" aria-label={ctx.t('recovery.title')}>
        <a class="tile" href="/recovery/question">
          <h2 safe>{ctx.t('recovery.by_question')}</h2>
          <p safe>{ctx.t('recovery.by_question_text')}</p>
        </a>
        <a class="tile" href="/recovery/sms">
          <h2 safe>{ctx.t('recovery.by_sms')}</h2>
          <p safe>{ctx.t('recovery.by_sms_text')}</p>
        </a>
      </nav>
    </Layout>
  );
}

export function QuestionStartPage(props: { ctx: PageContext; values: Values; errors: FieldErrors; errorParams?: MessageParams | undefined }) {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('recovery.by_question')}>
      <h1 safe>{ctx.t('recovery.by_question')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ nationalCode: ctx.t('recovery.national_code') }} params={props.errorParams} />
      <form method="post" action="/recovery/question" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <NationalCodeField ctx={ctx} name="nationalCode" label={ctx.t('recovery.national_code')} value={props.values.nationalCode} errors={errors} autocomplete="username" maxlength={20} />
        <div class="actions">
          <SubmitButton label={ctx.t('recovery.continue')} />
        </div>
      </form>
    </Layout>
  );
}

export function QuestionAnswerPage(props: {
  ctx: PageContext;
  nationalCode: string;
  question: MessageKey;
  values: Values;
  errors: FieldErrors;
  problems: MessageKey[];
  errorParams?: MessageParams | undefined;
  passwordParams: { min: number; max: number; symbols: string };
}) {
  const { ctx, errors } = props;
  const labels = {
    answer: ctx.t('recovery.answer'),
    newPassword: ctx.t('recovery.new_password'),
    newPasswordConfirmation: ctx.t('recovery.new_password_confirmation'),
    nationalCode: ctx.t('recovery.national_code'),
  };
  return (
    <Layout ctx={ctx} title={ctx.t('recovery.by_question')}>
      <h1 safe>{ctx.t('recovery.by_question')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={{ ...props.passwordParams, ...props.errorParams }} />
      <form method="post" action="/recovery/question/answer" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="nationalCode" value={props.nationalCode} />
        <p>
          <span class="muted" safe>
            {ctx.t('recovery.question_label') + ': '}
          </span>
          <strong safe>{ctx.t(props.question)}</strong>
        </p>
        <TextField ctx={ctx} name="answer" label={labels.answer} hint={ctx.t('recovery.answer_hint')} value={props.values.answer} errors={errors} autocomplete="off" />
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
        <TextField ctx={ctx} name="newPasswordConfirmation" label={labels.newPasswordConfirmation} errors={errors} type="password" autocomplete="new-password" dir="ltr" size="medium" />
        <div class="actions">
          <SubmitButton label={ctx.t('recovery.save')} />
        </div>
      </form>
      <KeyboardScript />
    </Layout>
  );
}

export function RecoveryDonePage(props: { ctx: PageContext; message: MessageKey; extra?: MessageKey }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('recovery.title')}>
      <h1 safe>{ctx.t('recovery.title')}</h1>
      <Notice kind="success">
        <p safe>{ctx.t(props.message)}</p>
        {props.extra ? <p safe>{ctx.t(props.extra)}</p> : ''}
      </Notice>
      <p>
        <a class="button" href="/signin" safe>
          {ctx.t('recovery.go_signin')}
        </a>
      </p>
    </Layout>
  );
}

export function SmsRecoveryPage(props: { ctx: PageContext; values: Values; errors: FieldErrors; errorParams?: MessageParams | undefined }) {
  const { ctx, errors } = props;
  const labels = { nationalCode: ctx.t('recovery.national_code'), mobile: ctx.t('recovery.mobile') };
  return (
    <Layout ctx={ctx} title={ctx.t('recovery.by_sms')}>
      <h1 safe>{ctx.t('recovery.by_sms')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action="/recovery/sms" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('recovery.by_sms_text')}</p>
        <NationalCodeField ctx={ctx} name="nationalCode" label={labels.nationalCode} value={props.values.nationalCode} errors={errors} autocomplete="username" maxlength={20} />
        <MobileField ctx={ctx} name="mobile" label={labels.mobile} hint={ctx.t('recovery.mobile_hint')} value={props.values.mobile} errors={errors} />
        <div class="actions">
          <SubmitButton label={ctx.t('recovery.send')} />
        </div>
      </form>
    </Layout>
  );
}
