// Pages of single sign-on: our sign-in form for a service, the consent page for services
// outside the organization, the sign-out confirmation and the signed-out page.
import { CsrfField, ErrorSummary, SubmitButton, TextField } from '../web/components.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import type { MessageKey, MessageParams } from '../web/i18n.js';
import { Layout } from '../web/layout.js';

export function SsoSignInPage(props: {
  ctx: PageContext;
  uid: string;
  clientName: string;
  username?: string;
  errors: FieldErrors;
  errorParams?: MessageParams;
}) {
  const { ctx } = props;
  const labels = { username: ctx.t('sso.username'), password: ctx.t('sso.password') };
  return (
    <Layout ctx={ctx} title={ctx.t('sso.signin_title')}>
      <h1 safe>{ctx.t('sso.signin_title')}</h1>
      <p safe>{ctx.t('sso.signin_intro', { client: props.clientName })}</p>
      <ErrorSummary ctx={ctx} errors={props.errors} labels={labels} params={props.errorParams} />
      <form method="post" action={`/interaction/${props.uid}`} novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          ctx={ctx}
          name="username"
          label={labels.username}
          hint={ctx.t('sso.username_hint')}
          errors={props.errors}
          value={props.username}
          inputmode="numeric"
          autocomplete="username"
          dir="ltr"
          size="medium"
        />
        <TextField ctx={ctx} name="password" label={labels.password} errors={props.errors} type="password" autocomplete="current-password" dir="ltr" size="medium" />
        <SubmitButton label={ctx.t('sso.signin_submit')} />
      </form>
      <ul class="links">
        <li>
          <a href="/register" safe>
            {ctx.t('sso.register_link')}
          </a>
        </li>
        <li>
          <a href="/recovery" safe>
            {ctx.t('sso.recovery_link')}
          </a>
        </li>
        <li>
          <a href={`/interaction/${props.uid}/abort`} safe>
            {ctx.t('sso.cancel')}
          </a>
        </li>
      </ul>
    </Layout>
  );
}

export function SsoConsentPage(props: { ctx: PageContext; uid: string; clientName: string; scopes: string[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('sso.consent_title')}>
      <h1 safe>{ctx.t('sso.consent_title')}</h1>
      <p safe>{ctx.t('sso.consent_intro', { client: props.clientName })}</p>
      <ul class="scopes">
        {props.scopes.map((scope) => (
          <li safe>{ctx.t(`sso.scope.${scope}` as MessageKey)}</li>
        ))}
      </ul>
      <p class="muted" safe>
        {ctx.t('sso.consent_note')}
      </p>
      <form method="post" action={`/interaction/${props.uid}`}>
        <CsrfField ctx={ctx} />
        <SubmitButton label={ctx.t('sso.consent_allow')} name="decision" value="allow" />{' '}
        <SubmitButton label={ctx.t('sso.consent_deny')} name="decision" value="deny" secondary />
      </form>
    </Layout>
  );
}

/** `formHtml` is the provider's own hidden form (its action and anti-forgery token), trusted. */
export function SsoLogoutPage(props: { ctx: PageContext; formHtml: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('sso.logout_title')}>
      <h1 safe>{ctx.t('sso.logout_title')}</h1>
      <p safe>{ctx.t('sso.logout_intro')}</p>
      {props.formHtml as 'safe'}
      <button type="submit" class="button" form="op.logoutForm" name="logout" value="yes" safe>
        {ctx.t('sso.logout_submit')}
      </button>{' '}
      <a href="/" safe>
        {ctx.t('sso.logout_stay')}
      </a>
    </Layout>
  );
}

export function SsoMessagePage(props: { ctx: PageContext; title: MessageKey; text: MessageKey; warning?: boolean }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t(props.title)}>
      <h1 safe>{ctx.t(props.title)}</h1>
      <div class={props.warning ? 'notice notice-warning' : 'notice notice-success'} role={props.warning ? 'alert' : 'status'}>
        <p safe>{ctx.t(props.text)}</p>
      </div>
      <p>
        <a href="/" safe>
          {ctx.t('error.back_home')}
        </a>
      </p>
    </Layout>
  );
}
