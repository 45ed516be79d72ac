// Pages of single sign-on: the consent page for services outside the organization, the
// assurance level a service asked for and the account lacks, the sign-out confirmation and
// the signed-out page. Signing in for a service uses the sign-in page of src/signin.
import { CsrfField, SubmitButton } from '../web/components.js';
import type { PageContext } from '../web/context.js';
import type { MessageKey } from '../messages/index.js';
import { Layout } from '../web/layout.js';

/**
 * The service asked for the branch-verified level (`acr_values`) and this account was
 * verified online: what to do, and the way back (the service gets
 * `unmet_authentication_requirements`).
 */
export function SsoAssurancePage(props: { ctx: PageContext; uid: string; clientName: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('sso.acr_title')}>
      <h1 safe>{ctx.t('sso.acr_title')}</h1>
      <div class="notice notice-warning" role="alert">
        <p safe>{ctx.t('sso.acr_text', { client: props.clientName })}</p>
      </div>
      <p safe>{ctx.t('sso.acr_branch')}</p>
      <p>
        <a class="button" href={`/interaction/${props.uid}/unmet`} safe>
          {ctx.t('sso.acr_back')}
        </a>
      </p>
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
