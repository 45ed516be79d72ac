// Pages of signing in (seed 000): the sign-in form with its method selector, links and
// security tips; the one-time SMS code pages; the registration guide. Plain forms: the
// on-screen keyboard is added by /static/keyboard.js when JavaScript runs.
import { toPersianDigits } from '../identity/digits.js';
import { captchaConfiguration, captchaStrings } from '../insured/insured.page.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CodeField, CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import { PasskeyScripts, PasskeySignInForm } from '../passkeys/passkeys.page.js';

type Values = Record<string, string>;

/** Mount point of the on-screen keyboard for one password input; texts come from the catalog. */
export function KeyboardMount(props: { ctx: PageContext; target: string }) {
  const { ctx } = props;
  return (
    <div
      class="vk-mount"
      data-vk-for={props.target}
      data-vk-open={ctx.t('signin.keyboard_open')}
      data-vk-close={ctx.t('signin.keyboard_close')}
      data-vk-label={ctx.t('signin.keyboard_label')}
      data-vk-shift={ctx.t('signin.keyboard_shift')}
      data-vk-backspace={ctx.t('signin.keyboard_backspace')}
      data-vk-clear={ctx.t('signin.keyboard_clear')}
      data-vk-count={ctx.t('signin.keyboard_count')}
    ></div>
  );
}

export function KeyboardScript() {
  return <script src="/static/keyboard.js" defer></script>;
}

/** Where each sign-in method lives for one entry (the portal's own, or a service's login). */
export type MethodLinks = { password: string; code: string };

/**
 * The methods' links for a page reached with `next`: a service's login interaction
 * (`/interaction/…`) is itself the password page; any other `next` is carried along.
 */
export function methodLinks(next: string | undefined): MethodLinks {
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  return { password: next?.startsWith('/interaction/') ? next : `/signin${q}`, code: `/signin/code${q}` };
}

/**
 * "Sign in with username ▼": the methods as links, and the passkey method as a button
 * (`data-method="passkey"`, API.md) that opens the passkey page; where that page's script
 * runs, it starts the passkey prompt at once. Works without JavaScript.
 */
export function MethodSelector(props: { ctx: PageContext; current: 'password' | 'code' | 'passkey'; next?: string | undefined; links?: MethodLinks | undefined }) {
  const { ctx } = props;
  const links = props.links ?? methodLinks(props.next);
  const label = props.current === 'password' ? ctx.t('signin.method_password') : props.current === 'code' ? ctx.t('signin.method_code') : ctx.t('passkeys.method');
  return (
    <details class="method-select">
      <summary>
        <span class="visually-hidden" safe>
          {ctx.t('signin.method') + ': '}
        </span>
        <span safe>{label}</span>
      </summary>
      <ul>
        <li>
          <a href={links.password} aria-current={props.current === 'password' ? 'page' : undefined} safe>
            {ctx.t('signin.method_password')}
          </a>
        </li>
        <li>
          <a href={links.code} aria-current={props.current === 'code' ? 'page' : undefined} safe>
            {ctx.t('signin.method_code')}
          </a>
        </li>
        <li>
          <form method="get" action="/signin/passkey">
            {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
            <button type="submit" class="link-button" data-method="passkey" aria-current={props.current === 'passkey' ? 'page' : undefined} safe>
              {ctx.t('passkeys.method')}
            </button>
          </form>
        </li>
      </ul>
    </details>
  );
}

/**
 * The sign-in form: inputs `username` and `password`, one submit button (API.md). The SSO
 * login interaction renders it with its own `action`.
 */
export function SignInForm(props: { ctx: PageContext; action: string; values: Values; errors: FieldErrors; next?: string | undefined; captcha?: boolean }) {
  const { ctx, values, errors } = props;
  return (
    <form method="post" action={props.action} class="card signin-form" novalidate>
      <CsrfField ctx={ctx} />
      {props.captcha ? (
        <>
          <link rel="stylesheet" href="/static/vendor/altcha.css" />
          <script type="module" src="/static/vendor/altcha.min.js"></script>
          <script src="/static/captcha.js" defer></script>
        </>
      ) : (
        ''
      )}
      {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
      <TextField
        ctx={ctx}
        name="username"
        label={ctx.t('signin.username')}
        hint={ctx.t('signin.username_hint')}
        value={values.username}
        errors={errors}
        inputmode="numeric"
        autocomplete="username webauthn"
        dir="ltr"
        maxlength={20}
        size="medium"
      />
      <TextField
        ctx={ctx}
        name="password"
        label={ctx.t('signin.password')}
        hint={ctx.t('signin.password_hint')}
        errors={errors}
        type="password"
        autocomplete="current-password"
        dir="ltr"
        maxlength={256}
        size="medium"
      />
      {props.captcha ? (
        <div class="field">
          <p class="hint" safe>
            {ctx.t('signin.captcha_required')}
          </p>
          <altcha-widget name="captcha" challenge="/api/v1/captcha" configuration={captchaConfiguration(ctx)} data-strings={captchaStrings(ctx)}></altcha-widget>
        </div>
      ) : (
        ''
      )}
      <KeyboardMount ctx={ctx} target="password" />
      <div class="actions">
        <SubmitButton label={ctx.t('signin.submit')} />
      </div>
    </form>
  );
}

export function SecurityTips(props: { ctx: PageContext }) {
  const { ctx } = props;
  const tips: MessageKey[] = ['signin.tip_browser', 'signin.tip_change', 'signin.tip_keyboard', 'signin.tip_signout', 'signin.tip_share'];
  return (
    <section class="tips" aria-labelledby="tips-title">
      <h2 id="tips-title" safe>
        {ctx.t('signin.tips_title')}
      </h2>
      <ul>
        {tips.map((k) => (
          <li safe>{ctx.t(k)}</li>
        ))}
      </ul>
    </section>
  );
}

function SigninLinks(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <nav class="signin-links" aria-label={ctx.t('signin.links')}>
      <a href="/register" safe>
        {ctx.t('signin.link_register')}
      </a>
      <a href="/help/registration" safe>
        {ctx.t('signin.link_guide')}
      </a>
      <a href="/insured/register" safe>
        {ctx.t('signin.link_insured')}
      </a>
      <a href="/recovery" safe>
        {ctx.t('signin.link_recovery')}
      </a>
      <a href="/register/status" safe>
        {ctx.t('signin.link_status')}
      </a>
      <a href="/doctors" safe>
        {ctx.t('doctors.signin_link')}
      </a>
    </nav>
  );
}

/**
 * Where a sign-in page was entered from, when not from /signin itself: the OpenID Connect
 * login of a service renders this same page with its own form action, intro and a way back.
 */
export type SignInEntry = {
  action: string;
  intro: string;
  methods: MethodLinks;
  cancel?: { href: string; label: string } | undefined;
};

export function SignInPage(props: {
  ctx: PageContext;
  values: Values;
  errors: FieldErrors;
  errorParams?: MessageParams | undefined;
  notice?: MessageKey | undefined;
  next?: string | undefined;
  /** The account-wide guard asks for a captcha with the next attempt. */
  captcha?: boolean;
  /** Tries this device has left before it must wait. */
  triesLeft?: number | undefined;
  entry?: SignInEntry | undefined;
}) {
  const { ctx, errors, entry } = props;
  const labels = { username: ctx.t('signin.username'), password: ctx.t('signin.password') };
  return (
    <Layout ctx={ctx} title={ctx.t('signin.title')}>
      <h1 safe>{ctx.t('signin.title')}</h1>
      <p safe>{entry?.intro ?? ctx.t('signin.intro')}</p>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      {props.triesLeft !== undefined ? (
        <Notice kind="warning">
          <p safe>{ctx.t('signin.tries_left', { tries: ctx.lang === 'fa' ? toPersianDigits(String(props.triesLeft)) : props.triesLeft })}</p>
        </Notice>
      ) : (
        ''
      )}
      <MethodSelector ctx={ctx} current="password" next={props.next} links={entry?.methods} />
      <SignInForm ctx={ctx} action={entry?.action ?? '/signin'} values={props.values} errors={errors} next={props.next} captcha={props.captcha ?? false} />
      <PasskeySignInForm ctx={ctx} next={props.next} conditional />
      {entry?.cancel ? (
        <p>
          <a href={entry.cancel.href} safe>
            {entry.cancel.label}
          </a>
        </p>
      ) : (
        ''
      )}
      <SigninLinks ctx={ctx} />
      <SecurityTips ctx={ctx} />
      <KeyboardScript />
      <PasskeyScripts />
    </Layout>
  );
}

export function CodeStartPage(props: { ctx: PageContext; values: Values; errors: FieldErrors; errorParams?: MessageParams | undefined; next?: string | undefined }) {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('signin.code_title')}>
      <h1 safe>{ctx.t('signin.code_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ username: ctx.t('signin.username') }} params={props.errorParams} />
      <MethodSelector ctx={ctx} current="code" next={props.next} />
      <form method="post" action="/signin/code" class="card" novalidate>
        <CsrfField ctx={ctx} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
        <p safe>{ctx.t('signin.code_intro')}</p>
        <TextField
          ctx={ctx}
          name="username"
          label={ctx.t('signin.username')}
          hint={ctx.t('signin.username_hint')}
          value={props.values.username}
          errors={errors}
          inputmode="numeric"
          autocomplete="username"
          dir="ltr"
          maxlength={20}
          size="medium"
        />
        <div class="actions">
          <SubmitButton label={ctx.t('signin.code_send')} />
        </div>
      </form>
      <SigninLinks ctx={ctx} />
    </Layout>
  );
}

export function CodeEnterPage(props: {
  ctx: PageContext;
  flowId: string;
  errors: FieldErrors;
  ttlMinutes: number;
  next?: string | undefined;
  /** The SMS is still on its way (the code's time starts when the gateway takes it). */
  sending?: boolean;
}) {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('signin.code_title')}>
      <h1 safe>{ctx.t('signin.code_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ code: ctx.t('signin.code') }} />
      <Notice kind="info">
        <p safe>{props.sending ? ctx.t('signin.code_sending', { minutes: props.ttlMinutes }) : ctx.t('signin.code_sent', { minutes: props.ttlMinutes })}</p>
      </Notice>
      <form method="post" action={`/signin/code/${props.flowId}`} class="card" novalidate>
        <CsrfField ctx={ctx} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
        <CodeField
          ctx={ctx}
          name="code"
          label={ctx.t('signin.code')}
          errors={errors} maxlength={10} />
        <div class="actions">
          <SubmitButton label={ctx.t('signin.code_submit')} />
          <a href={methodLinks(props.next).code} safe>
            {ctx.t('signin.code_again')}
          </a>
        </div>
      </form>
    </Layout>
  );
}

export function CodeProblemPage(props: { ctx: PageContext; message: MessageKey; errorParams?: MessageParams | undefined }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('signin.code_title')}>
      <h1 safe>{ctx.t('signin.code_title')}</h1>
      <Notice kind="warning">
        <p safe>{ctx.t(props.message, props.errorParams)}</p>
      </Notice>
      <p>
        <a class="button" href="/signin/code" safe>
          {ctx.t('signin.code_again')}
        </a>{' '}
        <a href="/signin" safe>
          {ctx.t('signin.method_password')}
        </a>
      </p>
    </Layout>
  );
}

export function GuidePage(props: { ctx: PageContext }) {
  const { ctx } = props;
  const rules: MessageKey[] = ['guide.password_latin', 'guide.password_start', 'guide.password_mix', 'guide.password_length', 'guide.password_personal'];
  const notes: MessageKey[] = ['guide.note_answer', 'guide.note_contact', 'guide.note_responsibility'];
  return (
    <Layout ctx={ctx} title={ctx.t('guide.title')}>
      <h1 safe>{ctx.t('guide.title')}</h1>
      <p safe>{ctx.t('guide.intro')}</p>
      <ol class="guide-steps">
        <li>
          <h2 safe>{ctx.t('guide.step1_title')}</h2>
          <p safe>{ctx.t('guide.step1_text')}</p>
        </li>
        <li>
          <h2 safe>{ctx.t('guide.step2_title')}</h2>
          <p safe>{ctx.t('guide.step2_text')}</p>
        </li>
        <li>
          <h2 safe>{ctx.t('guide.result_title')}</h2>
          <p safe>{ctx.t('guide.result_text')}</p>
        </li>
      </ol>
      <section class="card">
        <h2 safe>{ctx.t('guide.password_title')}</h2>
        <ul>
          {rules.map((k) => (
            <li safe>{ctx.t(k)}</li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2 safe>{ctx.t('guide.notes_title')}</h2>
        <ul>
          {notes.map((k) => (
            <li safe>{ctx.t(k)}</li>
          ))}
        </ul>
      </section>
      <p>
        <a class="button" href="/register" safe>
          {ctx.t('guide.start')}
        </a>
      </p>
    </Layout>
  );
}
