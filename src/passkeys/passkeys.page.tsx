// Pages and page pieces of passkeys: the person's passkey list (/account/passkeys), the
// passkey sign-in page (/signin/passkey), the hidden form that lets the sign-in page
// offer passkeys in the username autofill, and the back-office section of a person.
// The ceremonies run in /static/passkey.js (over the WebAuthn browser library); without
// JavaScript each place says so and offers the other ways in.
import type { StaffPrincipal } from '../backoffice/roles.js';
import { can } from '../backoffice/roles.js';
import { formatJalaliDateTime } from '../identity/jalali.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import { BackofficeLayout } from '../backoffice/backoffice.page.js';
import { inBranchScope, type PasskeyView } from './passkeys.service.js';

/** The browser library and our ceremony script (CSP: scripts from this origin only). */
export function PasskeyScripts() {
  return (
    <>
      <script src="/static/webauthn/index.umd.min.js" defer></script>
      <script src="/static/passkey.js" defer></script>
    </>
  );
}

/** Texts the script shows (from the catalogs, so they follow the page's language). */
export function scriptTexts(ctx: PageContext) {
  return {
    'data-msg-unsupported': ctx.t('passkeys.unsupported'),
    'data-msg-cancelled': ctx.t('passkeys.cancelled'),
    'data-msg-working': ctx.t('passkeys.working'),
    'data-msg-failed': ctx.t('request.internal'),
  };
}

/** Said where a passkey needs JavaScript; the script hides it (or says the browser cannot). */
function NeedsJs(props: { ctx: PageContext; otherMethods?: boolean; next?: string | undefined }) {
  const { ctx } = props;
  const q = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  return (
    <div class="notice notice-info" data-passkey-needs-js>
      <p data-passkey-message safe>
        {ctx.t('passkeys.needs_js')}
      </p>
      {props.otherMethods ? (
        <ul>
          <li>
            <a href={`/signin${q}`} safe>
              {ctx.t('signin.method_password')}
            </a>
          </li>
          <li>
            <a href={`/signin/code${q}`} safe>
              {ctx.t('signin.method_code')}
            </a>
          </li>
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

/** The status line of a ceremony (errors the script meets before anything is posted). */
export function CeremonyStatus() {
  return <p class="error-message" data-passkey-status role="alert" hidden></p>;
}

/**
 * The passkey sign-in form: the script fills `flowId` and `credential` after the browser's
 * passkey prompt and submits it. `conditional` offers passkeys in the username autofill
 * (`autocomplete="username webauthn"`) instead of showing a button.
 */
export function PasskeySignInForm(props: { ctx: PageContext; next?: string | undefined; conditional?: boolean }) {
  const { ctx } = props;
  return (
    <form
      method="post"
      action="/signin/passkey"
      id={props.conditional ? 'passkey-autofill-form' : 'passkey-signin-form'}
      class="passkey-form"
      data-passkey-ceremony="authentication"
      data-options-url="/signin/passkey/options"
      data-conditional={props.conditional ? 'true' : undefined}
      {...scriptTexts(ctx)}
    >
      <CsrfField ctx={ctx} />
      {props.next ? <input type="hidden" name="next" value={props.next} /> : ''}
      <input type="hidden" name="flowId" value="" />
      <input type="hidden" name="credential" value="" />
      <CeremonyStatus />
      {props.conditional ? (
        ''
      ) : (
        <>
          <div class="actions" data-passkey-js hidden>
            <button type="submit" class="button" data-action="passkey-signin" safe>
              {ctx.t('passkeys.signin_button')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

export function PasskeySignInPage(props: {
  ctx: PageContext;
  errors: FieldErrors;
  errorParams?: MessageParams | undefined;
  next?: string | undefined;
  selector: JSX.Element;
}) {
  const { ctx } = props;
  const q = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  return (
    <Layout ctx={ctx} title={ctx.t('passkeys.signin_title')}>
      <h1 safe>{ctx.t('passkeys.signin_title')}</h1>
      <ErrorSummary ctx={ctx} errors={props.errors} labels={{}} params={props.errorParams} />
      {props.selector as 'safe'}
      <p safe>{ctx.t('passkeys.signin_intro')}</p>
      <NeedsJs ctx={ctx} otherMethods next={props.next} />
      <PasskeySignInForm ctx={ctx} next={props.next} />
      <nav aria-label={ctx.t('passkeys.other_methods')} class="signin-links">
        <a href={`/signin${q}`} safe>
          {ctx.t('signin.method_password')}
        </a>
        <a href={`/signin/code${q}`} safe>
          {ctx.t('signin.method_code')}
        </a>
        <a href="/recovery" safe>
          {ctx.t('signin.link_recovery')}
        </a>
      </nav>
      <PasskeyScripts />
    </Layout>
  );
}

/** The add form: an optional name; the script asks for options, runs the prompt and posts. */
function PasskeyAddForm(props: { ctx: PageContext; action: string; errors: FieldErrors; nameValue?: string | undefined }) {
  const { ctx } = props;
  return (
    <form
      method="post"
      action={props.action}
      id="passkey-add-form"
      class="card passkey-form"
      data-passkey-ceremony="registration"
      data-options-url={`${props.action}/options`}
      novalidate
      {...scriptTexts(ctx)}
    >
      <CsrfField ctx={ctx} />
      <input type="hidden" name="flowId" value="" />
      <input type="hidden" name="credential" value="" />
      <TextField ctx={ctx} name="name" label={ctx.t('passkeys.name')} hint={ctx.t('passkeys.name_hint')} value={props.nameValue} errors={props.errors} maxlength={60} optional autocomplete="off" />
      <CeremonyStatus />
      <div class="actions">
        <button type="submit" class="button" data-action="add-passkey" safe>
          {ctx.t('passkeys.add')}
        </button>
      </div>
    </form>
  );
}

const deviceLabel = (ctx: PageContext, p: PasskeyView) => ctx.t(p.deviceType === 'multiDevice' ? 'passkeys.device_multi' : 'passkeys.device_single');

function PasskeyFacts(props: { ctx: PageContext; p: PasskeyView }) {
  const { ctx, p } = props;
  const when = (d: Date) => formatJalaliDateTime(d, ctx.lang);
  return (
    <dl class="summary-list">
      <dt safe>{ctx.t('passkeys.device_type')}</dt>
      <dd safe>{deviceLabel(ctx, p)}</dd>
      <dt safe>{ctx.t('passkeys.created')}</dt>
      <dd safe>{when(p.createdAt)}</dd>
      <dt safe>{ctx.t('passkeys.last_used')}</dt>
      <dd safe>{p.lastUsedAt ? when(p.lastUsedAt) : ctx.t('passkeys.never_used')}</dd>
    </dl>
  );
}

export function PasskeysPage(props: {
  ctx: PageContext;
  passkeys: PasskeyView[];
  notice?: MessageKey | undefined;
  errors?: FieldErrors;
  errorParams?: MessageParams | undefined;
  /** Which passkey a rename error belongs to. */
  renameId?: string | undefined;
  renameValue?: string | undefined;
  nameValue?: string | undefined;
}) {
  const { ctx } = props;
  const errors = props.errors ?? {};
  const addErrors: FieldErrors = props.renameId ? {} : errors;
  return (
    <Layout ctx={ctx} title={ctx.t('passkeys.title')}>
      <h1 safe>{ctx.t('passkeys.title')}</h1>
      <p safe>{ctx.t('passkeys.intro')}</p>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={{ name: ctx.t('passkeys.name') }} params={props.errorParams} />
      <section aria-labelledby="passkeys-list-title">
        <h2 id="passkeys-list-title" safe>
          {ctx.t('passkeys.list_title')}
        </h2>
        {props.passkeys.length === 0 ? (
          <p class="muted" safe>
            {ctx.t('passkeys.none')}
          </p>
        ) : (
          <ul class="session-list passkey-list">
            {props.passkeys.map((p) => {
              const renameErrors: FieldErrors = props.renameId === p.id ? errors : {};
              const fieldId = `name-${p.id}`;
              return (
                <li class="card" data-passkey-id={p.id}>
                  <h3 class="passkey-name" safe>
                    {p.name}
                  </h3>
                  <PasskeyFacts ctx={ctx} p={p} />
                  <details class="passkey-rename" open={props.renameId === p.id}>
                    <summary safe>{ctx.t('passkeys.rename')}</summary>
                    <form method="post" action={`/account/passkeys/${p.id}/rename`} novalidate>
                      <CsrfField ctx={ctx} />
                      <div class={renameErrors.name ? 'field field-error' : 'field'}>
                        <label for={fieldId} safe>
                          {ctx.t('passkeys.name')}
                        </label>
                        {renameErrors.name ? (
                          <p class="error-message" id={`${fieldId}-error`} safe>
                            {ctx.t(renameErrors.name)}
                          </p>
                        ) : (
                          ''
                        )}
                        <input
                          class="input medium"
                          id={fieldId}
                          name="name"
                          maxlength={60}
                          required
                          value={props.renameId === p.id ? (props.renameValue ?? p.name) : p.name}
                          aria-invalid={renameErrors.name ? 'true' : undefined}
                          aria-describedby={renameErrors.name ? `${fieldId}-error` : undefined}
                        />
                      </div>
                      <SubmitButton label={ctx.t('passkeys.rename_submit')} secondary />
                    </form>
                  </details>
                  <form method="post" action={`/account/passkeys/${p.id}/remove`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="button secondary" data-action="remove-passkey" safe>
                      {ctx.t('passkeys.remove')}
                    </button>
                  </form>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section aria-labelledby="passkey-add-title">
        <h2 id="passkey-add-title" safe>
          {ctx.t('passkeys.add_title')}
        </h2>
        <NeedsJs ctx={ctx} />
        <PasskeyAddForm ctx={ctx} action="/account/passkeys" errors={addErrors} nameValue={props.nameValue} />
        <p class="hint" safe>
          {ctx.t('passkeys.recovery_note')}
        </p>
      </section>
      <p>
        <a href="/account" safe>
          {ctx.t('passkeys.back')}
        </a>
      </p>
      <PasskeyScripts />
    </Layout>
  );
}

/** A person's passkeys on the back-office person page, with "remove all" for staff who act. */
export function StaffPasskeysSection(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  accountId: string;
  passkeys: PasskeyView[];
  /** The person's branch (an operator of another branch cannot remove their passkeys). */
  branchCode: string | null;
  errors?: FieldErrors;
  reason?: string;
}) {
  const { ctx } = props;
  const errors = props.errors ?? {};
  const reasonError = errors.reason;
  const mayRemove = can(props.staff, 'act') && inBranchScope(props.staff, { branch_code: props.branchCode });
  return (
    <section class="card" aria-labelledby="passkeys-title" id="passkeys">
      <h2 id="passkeys-title" safe>
        {ctx.t('passkeys.staff_title')}
      </h2>
      {props.passkeys.length === 0 ? (
        <p class="muted" safe>
          {ctx.t('passkeys.staff_none')}
        </p>
      ) : (
        <ul class="passkey-list">
          {props.passkeys.map((p) => (
            <li>
              <strong safe>{p.name}</strong>
              <PasskeyFacts ctx={ctx} p={p} />
            </li>
          ))}
        </ul>
      )}
      {mayRemove && (props.passkeys.length > 0 || errors._form) ? (
        <form method="post" action={`/backoffice/people/${props.accountId}/remove-passkeys`} class={errors._form || reasonError ? 'action action-failed' : 'action'} id="action-remove-passkeys" novalidate>
          <CsrfField ctx={ctx} />
          <h3 safe>{ctx.t('passkeys.staff_remove_all')}</h3>
          <p class="hint" safe>
            {ctx.t('passkeys.staff_remove_all_hint')}
          </p>
          {errors._form ? (
            <p class="error-message" role="alert" safe>
              {ctx.t(errors._form)}
            </p>
          ) : (
            ''
          )}
          <div class={reasonError ? 'field field-error' : 'field'}>
            <label for="remove-passkeys-reason" safe>
              {ctx.t('backoffice.reason')}
            </label>
            {reasonError ? (
              <p class="error-message" id="remove-passkeys-reason-error" safe>
                {ctx.t(reasonError)}
              </p>
            ) : (
              ''
            )}
            <textarea
              class="input"
              id="remove-passkeys-reason"
              name="reason"
              rows="2"
              maxlength={500}
              required
              aria-invalid={reasonError ? 'true' : undefined}
              aria-describedby={reasonError ? 'remove-passkeys-reason-error' : undefined}
              safe
            >
              {props.reason ?? ''}
            </textarea>
          </div>
          <SubmitButton label={ctx.t('passkeys.staff_remove_all_submit')} secondary />
        </form>
      ) : (
        ''
      )}
    </section>
  );
}

/** A staff member's own passkeys (second factor instead of the TOTP code). */
export function StaffOwnPasskeysPage(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  passkeys: PasskeyView[];
  notice?: MessageKey | undefined;
  errors?: FieldErrors;
  errorParams?: MessageParams | undefined;
  nameValue?: string | undefined;
}) {
  const { ctx } = props;
  const errors = props.errors ?? {};
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={ctx.t('passkeys.staff_own_title')}>
      <h1 safe>{ctx.t('passkeys.staff_own_title')}</h1>
      <p safe>{ctx.t('passkeys.staff_own_intro')}</p>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={{ name: ctx.t('passkeys.name') }} params={props.errorParams} />
      {props.passkeys.length === 0 ? (
        <p class="muted" safe>
          {ctx.t('passkeys.none')}
        </p>
      ) : (
        <ul class="session-list passkey-list">
          {props.passkeys.map((p) => (
            <li class="card">
              <h2 class="passkey-name" safe>
                {p.name}
              </h2>
              <PasskeyFacts ctx={ctx} p={p} />
              <form method="post" action={`/backoffice/passkeys/${p.id}/remove`}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="button secondary" data-action="remove-passkey" safe>
                  {ctx.t('passkeys.remove')}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2 safe>{ctx.t('passkeys.add_title')}</h2>
      <NeedsJs ctx={ctx} />
      <PasskeyAddForm ctx={ctx} action="/backoffice/passkeys" errors={errors} nameValue={props.nameValue} />
      <PasskeyScripts />
    </BackofficeLayout>
  );
}

/** In the staff sign-in form: the passkey answer's fields and the button that asks for it. */
export function StaffSignInPasskey(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <div class="staff-passkey" data-passkey-js hidden {...scriptTexts(ctx)}>
      <input type="hidden" name="flowId" value="" />
      <input type="hidden" name="credential" value="" />
      <CeremonyStatus />
      <p class="hint" safe>
        {ctx.t('passkeys.staff_signin_passkey_hint')}
      </p>
      <button type="button" class="button secondary" data-passkey-button data-options-url="/backoffice/signin/passkey-options" safe>
        {ctx.t('passkeys.staff_signin_with_passkey')}
      </button>
      <PasskeyScripts />
    </div>
  );
}
