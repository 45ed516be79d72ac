// Pages of the branch back office. Plain server-rendered forms: everything works without
// JavaScript; every form carries the CSRF token; actions are shown only to roles that may
// take them (the service refuses them anyway).
import type { AuditChainReport } from '../audit/audit.js';
import { toPersianDigits } from '../identity/digits.js';
import { formatJalaliDate, formatJalaliDateTime, gregorianIsoToJalali } from '../identity/jalali.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CodeField, CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import { isMessageKey, type MessageKey, type MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import type { AccountRow, AccountSummary as PersonSummaryRow } from '../accounts/accounts.service.js';
import { permissionName } from '../accounts/permissions.js';
import type { VerificationRejectionRow } from './backoffice.queries.js';
import { DOCUMENTS, type PersonAction, type SearchResult } from './backoffice.service.js';
import { can, type StaffPrincipal } from './roles.js';
import { BackofficeDoctorSection } from '../doctors/doctors.page.js';
import type { DoctorRecordView } from '../doctors/doctors.service.js';

const digits = (ctx: PageContext, s: string) => (ctx.lang === 'fa' ? toPersianDigits(s) : s);
const when = (ctx: PageContext, d: Date | null | undefined) => (d ? formatJalaliDateTime(d, ctx.lang) : '—');
/** A key built from data, shown only when the catalog has it. */
const label = (ctx: PageContext, key: string, fallback: string) => (isMessageKey(key) ? ctx.t(key) : fallback);
const statusLabel = (ctx: PageContext, status: string) => label(ctx, `backoffice.status.${status}`, status);

function birthDate(ctx: PageContext, iso: string | null): string {
  if (!iso) return '—';
  return formatJalaliDate(gregorianIsoToJalali(iso), ctx.lang);
}

function roleText(ctx: PageContext, staff: StaffPrincipal) {
  return ctx.t(`backoffice.role.${staff.role}`, { branch: staff.branchCode ?? '' });
}

export function BackofficeLayout(props: { ctx: PageContext; staff?: StaffPrincipal; title: string; children?: JSX.Element | JSX.Element[] }) {
  const { ctx, staff } = props;
  return (
    <Layout ctx={ctx} title={`${props.title} — ${ctx.t('backoffice.title')}`} wide area="backoffice">
      <div class="bo-bar">
        <strong safe>{ctx.t('backoffice.title')}</strong>
        {staff ? (
          <>
            <nav aria-label={ctx.t('backoffice.title')}>
              <ul class="bo-nav">
                <li>
                  <a href="/backoffice/search" safe>
                    {ctx.t('backoffice.nav_search')}
                  </a>
                </li>
                {can(staff, 'act') ? (
                  <li>
                    <a href="/backoffice/foreign-nationals" safe>
                      {ctx.t('backoffice.nav_foreign')}
                    </a>
                  </li>
                ) : (
                  ''
                )}
                <li>
                  <a href="/backoffice/overdue" safe>
                    {ctx.t('backoffice.nav_overdue')}
                  </a>
                </li>
                <li>
                  <a href="/backoffice/rejections" safe>
                    {ctx.t('backoffice.nav_rejections')}
                  </a>
                </li>
                <li>
                  <a href="/backoffice/sms/dead" safe>
                    {ctx.t('backoffice.nav_dead_sms')}
                  </a>
                </li>
                {staff.role === 'admin' ? (
                  <li>
                    <a href="/backoffice/walk-ins" safe>
                      {ctx.t('backoffice.nav_walk_ins')}
                    </a>
                  </li>
                ) : (
                  ''
                )}
                {can(staff, 'verifyAudit') ? (
                  <li>
                    <a href="/backoffice/audit" safe>
                      {ctx.t('backoffice.nav_audit')}
                    </a>
                  </li>
                ) : (
                  ''
                )}
                <li>
                  <a href="/backoffice/passkeys" safe>
                    {ctx.t('passkeys.staff_nav')}
                  </a>
                </li>
              </ul>
            </nav>
            <form method="post" action="/backoffice/signout" class="bo-signout">
              <CsrfField ctx={ctx} />
              <span class="muted" safe>
                {ctx.t('backoffice.signed_in_as', { username: staff.username, role: roleText(ctx, staff) })}
              </span>
              <button type="submit" class="link-button" safe>
                {ctx.t('backoffice.sign_out')}
              </button>
            </form>
          </>
        ) : (
          ''
        )}
      </div>
      {props.children as 'safe'}
    </Layout>
  );
}

export function SignInPage(props: {
  ctx: PageContext;
  values: Record<string, string>;
  errors: FieldErrors;
  errorParams?: MessageParams;
  notice?: MessageKey;
  /** A passkey in place of the code (rendered by the passkeys capability). */
  passkey?: JSX.Element;
}) {
  const { ctx, errors } = props;
  const labels = { username: ctx.t('backoffice.username'), password: ctx.t('backoffice.password'), code: ctx.t('backoffice.totp_code') };
  return (
    <BackofficeLayout ctx={ctx} title={ctx.t('backoffice.signin_title')}>
      <h1 safe>{ctx.t('backoffice.signin_title')}</h1>
      {props.notice ? (
        <Notice kind="info">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      <form method="post" action="/backoffice/signin" class="card narrow" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('backoffice.signin_intro')}</p>
        <TextField ctx={ctx} name="username" label={labels.username} value={props.values.username} errors={errors} autocomplete="username" dir="ltr" size="medium" />
        <TextField ctx={ctx} name="password" label={labels.password} type="password" errors={errors} autocomplete="current-password" dir="ltr" size="medium" />
        <CodeField
          ctx={ctx}
          name="code"
          label={labels.code}
          hint={ctx.t('backoffice.totp_code_hint')}
          errors={errors} />
        <div class="actions">
          <SubmitButton label={ctx.t('backoffice.signin_submit')} />
        </div>
        {(props.passkey ?? '') as 'safe'}
      </form>
    </BackofficeLayout>
  );
}

export function ChangePasswordPage(props: { ctx: PageContext; staff: StaffPrincipal; errors: FieldErrors; problems: MessageKey[]; min: number; askCurrent?: boolean }) {
  const { ctx, errors } = props;
  const labels = { currentPassword: ctx.t('backoffice.current_password'), newPassword: ctx.t('backoffice.new_password'), newPasswordConfirmation: ctx.t('backoffice.new_password_confirmation') };
  return (
    <BackofficeLayout ctx={ctx} title={ctx.t('backoffice.change_password_title')}>
      <h1 safe>{ctx.t('backoffice.change_password_title')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={{ min: props.min, max: 128, symbols: '& % $ # !' }} />
      <form method="post" action="/backoffice/password" class="card narrow" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('backoffice.change_password_intro')}</p>
        {props.askCurrent ? (
          <TextField ctx={ctx} name="currentPassword" label={labels.currentPassword} type="password" errors={errors} autocomplete="current-password" dir="ltr" size="medium" />
        ) : (
          ''
        )}
        <TextField
          ctx={ctx}
          name="newPassword"
          label={labels.newPassword}
          hint={ctx.t('backoffice.new_password_hint', { min: props.min })}
          type="password"
          errors={errors}
          autocomplete="new-password"
          dir="ltr"
          size="medium"
        />
        {props.problems.length > 1 ? (
          <ul class="error-message">
            {props.problems.map((p) => (
              <li safe>{ctx.t(p, { min: props.min, max: 128, symbols: '& % $ # !' })}</li>
            ))}
          </ul>
        ) : (
          ''
        )}
        <TextField ctx={ctx} name="newPasswordConfirmation" label={labels.newPasswordConfirmation} type="password" errors={errors} autocomplete="new-password" dir="ltr" size="medium" />
        <div class="actions">
          <SubmitButton label={ctx.t('backoffice.change_password_submit')} />
        </div>
      </form>
    </BackofficeLayout>
  );
}

function PeopleTable(props: { ctx: PageContext; people: PersonSummaryRow[] }) {
  const { ctx } = props;
  return (
    <div class="table-scroll" tabindex="0">
<table class="data">
      <thead>
        <tr>
          <th safe>{ctx.t('backoffice.col_name')}</th>
          <th safe>{ctx.t('backoffice.col_identifier')}</th>
          <th safe>{ctx.t('backoffice.col_mobile')}</th>
          <th safe>{ctx.t('backoffice.col_status')}</th>
          <th safe>{ctx.t('backoffice.col_created')}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.people.map((p) => (
          <tr>
            <td safe>{`${p.first_name ?? ''} ${p.last_name ?? ''}`.trim() || '—'}</td>
            <td class="ltr" safe>
              {digits(ctx, p.national_code ?? p.foreign_national_id ?? '')}
            </td>
            <td class="ltr" safe>
              {digits(ctx, p.mobile ?? '—')}
            </td>
            <td safe>{statusLabel(ctx, p.status)}</td>
            <td safe>{when(ctx, p.created_at)}</td>
            <td>
              <a href={`/backoffice/people/${p.id}`} safe>
                {ctx.t('backoffice.open')}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
</div>
  );
}

const fieldNames = (ctx: PageContext, fields: readonly string[]): string =>
  fields.length ? fields.map((f) => label(ctx, `backoffice.match_field.${f}`, f)).join(ctx.t('backoffice.match_fields_separator')) : '—';

/**
 * Registrations verification rejected: when, why, and which fields differed from the civil
 * registry (names of fields only: staff tell a typo in the birth date from another person).
 */
function RejectionsTable(props: { ctx: PageContext; rows: VerificationRejectionRow[]; caption?: string }) {
  const { ctx } = props;
  return (
    <table class="data rejections">
      {props.caption ? <caption safe>{props.caption}</caption> : ''}
      <thead>
        <tr>
          <th safe>{ctx.t('backoffice.col_identifier')}</th>
          <th safe>{ctx.t('backoffice.col_submitted')}</th>
          <th safe>{ctx.t('backoffice.col_rejected')}</th>
          <th safe>{ctx.t('backoffice.col_reason')}</th>
          <th safe>{ctx.t('backoffice.col_fields')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td class="ltr" safe>
              {r.national_code_masked}
            </td>
            <td safe>{when(ctx, r.submitted_at)}</td>
            <td safe>{when(ctx, r.rejected_at)}</td>
            <td safe>{label(ctx, `backoffice.rejection_reason.${r.reason}`, r.reason)}</td>
            <td class="mismatched-fields" data-fields={r.fields.join(' ')} safe>
              {fieldNames(ctx, r.fields)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RejectionsPage(props: { ctx: PageContext; staff: StaffPrincipal; rows: VerificationRejectionRow[]; days: number }) {
  const { ctx } = props;
  const title = ctx.t('backoffice.rejections_title');
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={title}>
      <h1 safe>{title}</h1>
      <p class="muted" safe>
        {ctx.t('backoffice.rejections_intro', { days: digits(ctx, String(props.days)) })}
      </p>
      {props.rows.length ? <RejectionsTable ctx={ctx} rows={props.rows} /> : <p safe>{ctx.t('backoffice.rejections_none')}</p>}
    </BackofficeLayout>
  );
}

export function SearchPage(props: { ctx: PageContext; staff: StaffPrincipal; query: string; errors: FieldErrors; result?: SearchResult; notice?: MessageKey }) {
  const { ctx, errors, result } = props;
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={ctx.t('backoffice.search_title')}>
      <h1 safe>{ctx.t('backoffice.search_title')}</h1>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={{ q: ctx.t('backoffice.search_query') }} />
      <form method="get" action="/backoffice/search" class="card" role="search">
        <TextField ctx={ctx} name="q" label={ctx.t('backoffice.search_query')} hint={ctx.t('backoffice.search_hint')} value={props.query} errors={errors} dir="ltr" inputmode="numeric" size="medium" autocomplete="off" />
        <div class="actions">
          <SubmitButton label={ctx.t('backoffice.search_submit')} />
        </div>
      </form>
      {result ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title" safe>
            {ctx.t('backoffice.search_results')}
          </h2>
          {result.preregisteredAt ? (
            <Notice kind="info">
              <p safe>{ctx.t('backoffice.foreign_preregistered_note', { date: when(ctx, result.preregisteredAt) })}</p>
            </Notice>
          ) : (
            ''
          )}
          {result.people.length ? <PeopleTable ctx={ctx} people={result.people} /> : <p safe>{ctx.t('backoffice.search_none')}</p>}
          {result.rejections?.length ? (
            <section aria-labelledby="rejections-title">
              <h3 id="rejections-title" safe>
                {ctx.t('backoffice.rejections_of_code')}
              </h3>
              <RejectionsTable ctx={ctx} rows={result.rejections} />
            </section>
          ) : (
            ''
          )}
        </section>
      ) : (
        ''
      )}
    </BackofficeLayout>
  );
}

export type PersonView = {
  account: AccountRow;
  verification: { status: string; due_at: Date; attempts: number; outcome: string | null; completed_at: Date | null; created_at: Date } | undefined;
  messages: { id: string; to_mobile: string; body: string; status: string; created_at: Date; template: string }[];
  events: { id: number; occurred_at: Date; actor_type: string; actor_id: string | null; event: string; data: Record<string, unknown> }[];
  staffNames: Map<string, string>;
  /** Earlier registrations of the same national code that verification rejected. */
  rejections?: VerificationRejectionRow[];
};

/** One action form: its reason, its extra fields, its own errors next to them. */
function ActionForm(props: {
  ctx: PageContext;
  accountId: string;
  action: PersonAction;
  title: MessageKey;
  submit: MessageKey;
  hint?: MessageKey;
  failed?: { action: PersonAction; errors: FieldErrors; values: Record<string, string>; params?: MessageParams };
  danger?: boolean;
  /** A branch operator acting on a person of another branch: the documents seen, recorded as a walk-in. */
  walkIn?: boolean;
  children?: JSX.Element | JSX.Element[];
}) {
  const { ctx, action } = props;
  const mine = props.failed?.action === action ? props.failed : undefined;
  const errors = mine?.errors ?? {};
  const id = (field: string) => `${action}-${field}`;
  const reasonError = errors.reason;
  return (
    <form method="post" action={`/backoffice/people/${props.accountId}/${action}`} class={mine ? 'card action action-failed' : 'card action'} id={`action-${action}`} novalidate>
      <CsrfField ctx={ctx} />
      <h3 safe>{ctx.t(props.title)}</h3>
      {props.hint ? (
        <p class="hint" safe>
          {ctx.t(props.hint)}
        </p>
      ) : (
        ''
      )}
      {errors._form ? (
        <p class="error-message" role="alert" safe>
          {ctx.t(errors._form, mine?.params)}
        </p>
      ) : errors._limit ? (
        <p class="notice notice-warning" role="alert" safe>
          {ctx.t(errors._limit, mine?.params)}
        </p>
      ) : (
        ''
      )}
      {props.children as 'safe'}
      {props.walkIn ? (
        <fieldset class={errors.walkInDocuments ? 'field field-error' : 'field'}>
          <legend safe>{ctx.t('backoffice.walk_in_documents')}</legend>
          {errors.walkInDocuments ? (
            <p class="error-message" safe>
              {ctx.t(errors.walkInDocuments)}
            </p>
          ) : (
            ''
          )}
          {DOCUMENTS.map((d) => (
            <label class="choice">
              <input type="checkbox" name="walkInDocuments" value={d} checked={(props.failed?.action === action && (props.failed as { walkInDocuments?: string[] }).walkInDocuments?.includes(d)) || false} />{' '}
              <span safe>{ctx.t(`backoffice.document.${d}` as MessageKey)}</span>
            </label>
          ))}
        </fieldset>
      ) : (
        ''
      )}
      <div class={reasonError ? 'field field-error' : 'field'}>
        <label for={id('reason')} safe>
          {ctx.t('backoffice.reason')}
        </label>
        {reasonError ? (
          <p class="error-message" id={id('reason-error')} safe>
            {ctx.t(reasonError)}
          </p>
        ) : (
          ''
        )}
        <textarea class="input" id={id('reason')} name="reason" rows="2" maxlength={500} required aria-invalid={reasonError ? 'true' : undefined} aria-describedby={reasonError ? id('reason-error') : undefined} safe>
          {mine?.values.reason ?? ''}
        </textarea>
      </div>
      <SubmitButton label={ctx.t(props.submit)} secondary={props.danger} />
    </form>
  );
}

function DocumentChoices(props: { ctx: PageContext; prefix: string; errors: FieldErrors; checked: string[] }) {
  const { ctx } = props;
  const error = props.errors.documents;
  return (
    <fieldset class={error ? 'field field-error' : 'field'} id={`${props.prefix}-documents`}>
      <legend safe>{ctx.t('backoffice.documents')}</legend>
      {error ? (
        <p class="error-message" safe>
          {ctx.t(error)}
        </p>
      ) : (
        ''
      )}
      <div class="radios">
        {DOCUMENTS.map((d) => (
          <label class="radio">
            <input type="checkbox" name="documents" value={d} checked={props.checked.includes(d)} />
            <span safe>{ctx.t(`backoffice.document.${d}`)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Keys of audit data that are internal references (ids) or shown elsewhere: never listed. */
const HIDDEN_DETAILS = new Set(['staff', 'role', 'requestId', 'smsId', 'staffId', 'template']);
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One value of an audit event's data, in words: codes through the catalog, numbers in the page's digits. */
function detailValue(ctx: PageContext, key: string, v: unknown): string {
  if (typeof v === 'boolean') return ctx.t(v ? 'backoffice.yes' : 'backoffice.no');
  if (typeof v === 'number') return digits(ctx, String(v));
  if (Array.isArray(v)) return v.map((d) => detailValue(ctx, key, d)).join(ctx.lang === 'fa' ? '، ' : ', ') || '—';
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'object') return '—';
  const text = String(v);
  if (key === 'documents') return label(ctx, `backoffice.document.${text}`, text);
  if (key === 'from' || key === 'outcome' || key === 'status') return label(ctx, `backoffice.status.${text}`, digits(ctx, text));
  const coded = `backoffice.detail_value.${key}.${text}`;
  if (isMessageKey(coded)) return ctx.t(coded);
  if (ISO_TIME.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return when(ctx, d);
  }
  return digits(ctx, text);
}

function EventDetails(props: { ctx: PageContext; data: Record<string, unknown> }) {
  const { ctx } = props;
  const entries = Object.entries(props.data).filter(([k, v]) => !HIDDEN_DETAILS.has(k) && !(typeof v === 'string' && UUID_LIKE.test(v)));
  if (!entries.length) return <span class="muted">—</span>;
  return (
    <ul class="kv">
      {entries.map(([k, v]) => (
        <li>
          <span class="muted" safe>
            {label(ctx, `backoffice.detail.${k}`, k)}
          </span>
          {': '}
          <span safe>{detailValue(ctx, k, v)}</span>
        </li>
      ))}
    </ul>
  );
}

export function PersonPage(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  view: PersonView;
  /** The service clock's now (is the lock still on?). */
  now: Date;
  notice?: MessageKey;
  failed?: { action: PersonAction; errors: FieldErrors; values: Record<string, string>; documents?: string[]; walkInDocuments?: string[]; params?: MessageParams };
  /** An open mobile change: the code sent to the new number is typed next. */
  mobileFlow?: { flowId: string; mobile: string };
  /** The person's passkeys (section rendered by the passkeys capability). */
  passkeys?: JSX.Element;
  /** The doctor record and its history (doctors capability); undefined: not shown. */
  doctor?: DoctorRecordView | null;
}) {
  const { ctx, staff, view } = props;
  const a = view.account;
  // An operator of another branch acts only as a recorded walk-in (documents seen).
  const walkIn = staff.role === 'branch_operator' && (!staff.branchCode || a.branch_code !== staff.branchCode);
  const permissionsText: string = a.permissions.map((perm) => permissionName(ctx.lang, perm)).join(ctx.lang === 'fa' ? '، ' : ', ') || '—';
  const locked = a.locked_until && a.locked_until > props.now;
  const v = view.verification;
  const failed = props.failed;
  const docErrors = (action: PersonAction) => (failed?.action === action ? failed.errors : {});
  return (
    <BackofficeLayout ctx={ctx} staff={staff} title={ctx.t('backoffice.person_title')}>
      <h1 safe>{`${ctx.t('backoffice.person_title')}: ${`${a.first_name ?? ''} ${a.last_name ?? ''}`.trim() || digits(ctx, a.national_code ?? a.foreign_national_id ?? '')}`}</h1>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <div class="bo-columns">
        <section class="card" aria-labelledby="account-title">
          <h2 id="account-title" safe>
            {ctx.t('backoffice.section_account')}
          </h2>
          <p>
            <span class={`badge badge-${a.status}`} id="account-status" safe>
              {statusLabel(ctx, a.status)}
            </span>
          </p>
          <ul class="flags">
            {a.disabled_at ? <li safe>{ctx.t('backoffice.flag_disabled', { date: when(ctx, a.disabled_at) })}</li> : ''}
            {locked ? <li safe>{ctx.t('backoffice.flag_locked', { date: when(ctx, a.locked_until) })}</li> : ''}
            {a.must_change_password ? <li safe>{ctx.t('backoffice.flag_must_change_password')}</li> : ''}
          </ul>
          <dl class="summary-list">
            {a.national_code ? (
              <>
                <dt safe>{ctx.t('backoffice.field_national_code')}</dt>
                <dd class="ltr" safe>
                  {digits(ctx, a.national_code)}
                </dd>
              </>
            ) : (
              ''
            )}
            {a.foreign_national_id ? (
              <>
                <dt safe>{ctx.t('backoffice.field_foreign_id')}</dt>
                <dd class="ltr" safe>
                  {digits(ctx, a.foreign_national_id)}
                </dd>
              </>
            ) : (
              ''
            )}
            <dt safe>{ctx.t('backoffice.field_name')}</dt>
            <dd safe>{`${a.first_name ?? ''} ${a.last_name ?? ''}`.trim() || '—'}</dd>
            <dt safe>{ctx.t('backoffice.field_birth_date')}</dt>
            <dd safe>{birthDate(ctx, a.birth_date)}</dd>
            <dt safe>{ctx.t('backoffice.field_permissions')}</dt>
            <dd safe>{permissionsText}</dd>
            <dt safe>{ctx.t('backoffice.field_mobile')}</dt>
            <dd class="ltr" safe>
              {digits(ctx, a.mobile ?? '—')}
            </dd>
            <dt safe>{ctx.t('backoffice.field_origin')}</dt>
            <dd safe>{label(ctx, `backoffice.origin.${a.origin}`, a.origin)}</dd>
            <dt safe>{ctx.t('backoffice.field_created')}</dt>
            <dd safe>{when(ctx, a.created_at)}</dd>
            <dt safe>{ctx.t('backoffice.field_activated')}</dt>
            <dd safe>{when(ctx, a.activated_at)}</dd>
          </dl>
          <h2 safe>{ctx.t('backoffice.section_registration')}</h2>
          <p safe>
            {!v
              ? ctx.t('backoffice.verification_none')
              : v.status === 'pending'
                ? ctx.t('backoffice.verification_pending', { date: when(ctx, v.due_at), attempts: v.attempts })
                : ctx.t('backoffice.verification_completed', { date: when(ctx, v.completed_at), outcome: v.outcome ? statusLabel(ctx, v.outcome) : '—' })}
          </p>
          {view.rejections?.length ? (
            <>
              <h3 safe>{ctx.t('backoffice.rejections_of_person')}</h3>
              <RejectionsTable ctx={ctx} rows={view.rejections} />
            </>
          ) : (
            ''
          )}
        </section>

        <section aria-labelledby="actions-title">
          <h2 id="actions-title" safe>
            {ctx.t('backoffice.section_actions')}
          </h2>
          {!can(staff, 'act') ? (
            <p class="muted" safe>
              {ctx.t('backoffice.no_actions')}
            </p>
          ) : (
            <>
              {a.status === 'awaiting_branch_visit' ? (
                <ActionForm ctx={ctx} accountId={a.id} action="activate" title="backoffice.action_activate" submit="backoffice.action_activate_submit" failed={failed}>
                  <DocumentChoices ctx={ctx} prefix="activate" errors={docErrors('activate')} checked={failed?.action === 'activate' ? (failed.documents ?? []) : []} />
                </ActionForm>
              ) : (
                ''
              )}
              {a.status !== 'active' ? (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="reject" title="backoffice.action_reject" hint="backoffice.action_reject_hint" submit="backoffice.action_reject_submit" failed={failed} danger />
              ) : (
                ''
              )}
              {props.mobileFlow ? (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="mobile" title="backoffice.action_mobile" submit="backoffice.action_mobile_submit" failed={failed}>
                  <Notice kind="info">
                    <p safe>{ctx.t('backoffice.mobile_code_sent', { mobile: digits(ctx, props.mobileFlow.mobile) })}</p>
                  </Notice>
                  <input type="hidden" name="flowId" value={props.mobileFlow.flowId} />
                  <div class={docErrors('mobile').code ? 'field field-error' : 'field'}>
                    <label for="mobile-code" safe>
                      {ctx.t('backoffice.mobile_code_label')}
                    </label>
                    {docErrors('mobile').code ? (
                      <p class="error-message" safe>
                        {ctx.t(docErrors('mobile').code!)}
                      </p>
                    ) : (
                      ''
                    )}
                    <input class="input short" id="mobile-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" dir="ltr" />
                  </div>
                </ActionForm>
              ) : (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="mobile" title="backoffice.action_mobile" submit="backoffice.action_mobile_submit" failed={failed}>
                <div class={docErrors('mobile').mobile ? 'field field-error' : 'field'}>
                  <label for="mobile-mobile" safe>
                    {ctx.t('backoffice.action_mobile_new')}
                  </label>
                  {docErrors('mobile').mobile ? (
                    <p class="error-message" safe>
                      {ctx.t(docErrors('mobile').mobile!)}
                    </p>
                  ) : (
                    ''
                  )}
                  <input class="input medium" id="mobile-mobile" name="mobile" type="tel" inputmode="tel" dir="ltr" value={failed?.action === 'mobile' ? failed.values.mobile : ''} />
                </div>
              </ActionForm>
              )}
              {a.status === 'active' ? (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="reset-password" title="backoffice.action_reset_password" hint="backoffice.action_reset_password_hint" submit="backoffice.action_reset_password_submit" failed={failed} />
              ) : (
                ''
              )}
              {locked ? <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="unlock" title="backoffice.action_unlock" submit="backoffice.action_unlock_submit" failed={failed} /> : ''}
              {a.disabled_at ? (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="enable" title="backoffice.action_enable" submit="backoffice.action_enable_submit" failed={failed} />
              ) : (
                <ActionForm ctx={ctx} accountId={a.id} walkIn={walkIn} action="disable" title="backoffice.action_disable" submit="backoffice.action_disable_submit" failed={failed} danger />
              )}
            </>
          )}
        </section>
      </div>

      {(props.passkeys ?? '') as 'safe'}
      {props.doctor !== undefined ? <BackofficeDoctorSection ctx={ctx} record={props.doctor} /> : ''}

      <section class="card" aria-labelledby="sms-title">
        <h2 id="sms-title" safe>
          {ctx.t('backoffice.section_sms')}
        </h2>
        {view.messages.length ? (
          <div class="table-scroll" tabindex="0">
<table class="data">
            <thead>
              <tr>
                <th safe>{ctx.t('backoffice.col_time')}</th>
                <th safe>{ctx.t('backoffice.col_mobile')}</th>
                <th safe>{ctx.t('backoffice.col_text')}</th>
                <th safe>{ctx.t('backoffice.col_status')}</th>
              </tr>
            </thead>
            <tbody>
              {view.messages.map((m) => (
                <tr>
                  <td safe>{when(ctx, m.created_at)}</td>
                  <td class="ltr" safe>
                    {digits(ctx, m.to_mobile)}
                  </td>
                  <td safe>{m.body /* a secret message's redacted text (listSmsOfAccount) */}</td>
                  <td safe>{label(ctx, `backoffice.sms_status.${m.status}`, m.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
</div>
        ) : (
          <p safe>{ctx.t('backoffice.sms_none')}</p>
        )}
      </section>

      <section class="card" aria-labelledby="audit-title">
        <h2 id="audit-title" safe>
          {ctx.t('backoffice.section_audit')}
        </h2>
        {view.events.length ? (
          <div class="table-scroll" tabindex="0">
<table class="data" id="timeline">
            <thead>
              <tr>
                <th safe>{ctx.t('backoffice.col_time')}</th>
                <th safe>{ctx.t('backoffice.col_event')}</th>
                <th safe>{ctx.t('backoffice.col_actor')}</th>
                <th safe>{ctx.t('backoffice.col_details')}</th>
              </tr>
            </thead>
            <tbody>
              {view.events.map((e) => (
                <tr>
                  <td safe>{when(ctx, e.occurred_at)}</td>
                  <td>
                    {isMessageKey(`audit_event.${e.event}`) ? (
                      <span title={e.event} safe>
                        {label(ctx, `audit_event.${e.event}`, e.event)}
                      </span>
                    ) : (
                      <code safe>{e.event}</code>
                    )}
                  </td>
                  <td safe>
                    {label(ctx, `backoffice.actor.${e.actor_type}`, e.actor_type) +
                      (e.actor_type === 'staff' && e.actor_id && view.staffNames.get(e.actor_id) ? ` (${view.staffNames.get(e.actor_id)})` : '')}
                  </td>
                  <td>
                    <EventDetails ctx={ctx} data={e.data} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
</div>
        ) : (
          <p safe>{ctx.t('backoffice.audit_none')}</p>
        )}
      </section>
    </BackofficeLayout>
  );
}

export function ForeignNationalPage(props: { ctx: PageContext; staff: StaffPrincipal; values: Record<string, string>; documents: string[]; errors: FieldErrors; notice?: MessageKey }) {
  const { ctx, errors } = props;
  const labels = { foreignNationalId: ctx.t('backoffice.foreign_id'), documents: ctx.t('backoffice.documents'), reason: ctx.t('backoffice.reason') };
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={ctx.t('backoffice.foreign_title')}>
      <h1 safe>{ctx.t('backoffice.foreign_title')}</h1>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action="/backoffice/foreign-nationals" class="card" novalidate>
        <CsrfField ctx={ctx} />
        <p safe>{ctx.t('backoffice.foreign_intro')}</p>
        <TextField ctx={ctx} name="foreignNationalId" label={labels.foreignNationalId} value={props.values.foreignNationalId} errors={errors} inputmode="numeric" dir="ltr" maxlength={16} size="medium" autocomplete="off" />
        <DocumentChoices ctx={ctx} prefix="foreign" errors={errors} checked={props.documents} />
        <div class={errors.reason ? 'field field-error' : 'field'}>
          <label for="reason" safe>
            {labels.reason}
          </label>
          {errors.reason ? (
            <p class="error-message" safe>
              {ctx.t(errors.reason)}
            </p>
          ) : (
            ''
          )}
          <textarea class="input" id="reason" name="reason" rows="2" maxlength={500} required safe>
            {props.values.reason ?? ''}
          </textarea>
        </div>
        <div class="actions">
          <SubmitButton label={ctx.t('backoffice.foreign_submit')} />
        </div>
      </form>
    </BackofficeLayout>
  );
}

/** Walk-in actions: branch operators acting on people of other branches (the supervisors' list). */
export function WalkInsPage(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  rows: { id: number | string; occurred_at: Date; account_id: string | null; event: string; data: Record<string, unknown> }[];
}) {
  const { ctx } = props;
  const title = ctx.t('backoffice.walk_ins_title');
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={title}>
      <h1 safe>{title}</h1>
      {props.rows.length ? (
        <table class="data" id="walk-ins">
          <thead>
            <tr>
              <th safe>{ctx.t('backoffice.col_time')}</th>
              <th safe>{ctx.t('backoffice.col_event')}</th>
              <th safe>{ctx.t('backoffice.col_actor')}</th>
              <th safe>{ctx.t('backoffice.col_details')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td safe>{when(ctx, r.occurred_at)}</td>
                <td safe>{label(ctx, `audit_event.${r.event}`, r.event)}</td>
                <td safe>{`${String(r.data.staff ?? '')} (${digits(ctx, String(r.data.branch ?? '—'))})`}</td>
                <td>
                  <EventDetails ctx={ctx} data={r.data} />
                </td>
                <td>
                  {r.account_id ? (
                    <a href={`/backoffice/people/${r.account_id}`} safe>
                      {ctx.t('backoffice.open')}
                    </a>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p safe>{ctx.t('backoffice.walk_ins_empty')}</p>
      )}
    </BackofficeLayout>
  );
}

export function OverduePage(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  hours: number;
  rows: { account_id: string; national_code: string | null; foreign_national_id: string | null; first_name: string | null; last_name: string | null; status: string; created_at: Date; due_at: Date; attempts: number }[];
}) {
  const { ctx } = props;
  const title = ctx.t('backoffice.overdue_title', { hours: props.hours });
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={title}>
      <h1 safe>{title}</h1>
      {props.rows.length ? (
        <div class="table-scroll" tabindex="0">
<table class="data">
          <thead>
            <tr>
              <th safe>{ctx.t('backoffice.col_name')}</th>
              <th safe>{ctx.t('backoffice.col_identifier')}</th>
              <th safe>{ctx.t('backoffice.col_created')}</th>
              <th safe>{ctx.t('backoffice.col_due')}</th>
              <th safe>{ctx.t('backoffice.col_attempts')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td safe>{`${r.first_name ?? ''} ${r.last_name ?? ''}`.trim() || '—'}</td>
                <td class="ltr" safe>
                  {digits(ctx, r.national_code ?? r.foreign_national_id ?? '')}
                </td>
                <td safe>{when(ctx, r.created_at)}</td>
                <td safe>{when(ctx, r.due_at)}</td>
                <td safe>{digits(ctx, String(r.attempts))}</td>
                <td>
                  <a href={`/backoffice/people/${r.account_id}`} safe>
                    {ctx.t('backoffice.open')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      ) : (
        <p safe>{ctx.t('backoffice.overdue_none')}</p>
      )}
      <p>
        <a href="/backoffice/rejections" safe>
          {ctx.t('backoffice.overdue_see_rejections')}
        </a>
      </p>
    </BackofficeLayout>
  );
}

export function DeadSmsPage(props: {
  ctx: PageContext;
  staff: StaffPrincipal;
  rows: { id: string; to_mobile: string; template: string; attempts: number; last_error: string | null; created_at: Date; account_id: string | null; secret: boolean }[];
  notice?: MessageKey;
  error?: MessageKey;
}) {
  const { ctx } = props;
  const mayResend = can(props.staff, 'act');
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={ctx.t('backoffice.dead_sms_title')}>
      <h1 safe>{ctx.t('backoffice.dead_sms_title')}</h1>
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
      {props.rows.length ? (
        <div class="table-scroll" tabindex="0">
<table class="data">
          <thead>
            <tr>
              <th safe>{ctx.t('backoffice.col_time')}</th>
              <th safe>{ctx.t('backoffice.col_mobile')}</th>
              <th safe>{ctx.t('backoffice.col_event')}</th>
              <th safe>{ctx.t('backoffice.col_error')}</th>
              <th safe>{ctx.t('backoffice.col_attempts')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td safe>{when(ctx, r.created_at)}</td>
                <td class="ltr" safe>
                  {digits(ctx, r.to_mobile)}
                </td>
                <td>
                  <span title={r.template} safe>
                    {label(ctx, `backoffice.sms_template.${r.template.replace(/^sms\./, '')}`, r.template)}
                  </span>
                </td>
                <td class="ltr" safe>
                  {r.last_error ?? ''}
                </td>
                <td safe>{digits(ctx, String(r.attempts))}</td>
                <td>
                  {r.secret ? (
                    <small safe>{ctx.t('backoffice.sms_secret_ask_again')}</small>
                  ) : mayResend ? (
                    <form method="post" action={`/backoffice/sms/${r.id}/resend`}>
                      <CsrfField ctx={ctx} />
                      <SubmitButton label={ctx.t('backoffice.resend')} secondary />
                    </form>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      ) : (
        <p safe>{ctx.t('backoffice.dead_sms_none')}</p>
      )}
    </BackofficeLayout>
  );
}

export function AuditPage(props: { ctx: PageContext; staff: StaffPrincipal; report: AuditChainReport }) {
  const { ctx, report } = props;
  return (
    <BackofficeLayout ctx={ctx} staff={props.staff} title={ctx.t('backoffice.audit_title')}>
      <h1 safe>{ctx.t('backoffice.audit_title')}</h1>
      <p safe>{ctx.t('backoffice.audit_intro')}</p>
      {report.ok ? (
        <Notice kind="success">
          <p safe>{ctx.t('backoffice.audit_ok', { count: report.checked })}</p>
        </Notice>
      ) : (
        <Notice kind="warning">
          <p safe>
            {ctx.t('backoffice.audit_broken', {
              id: report.brokenAt.id,
              count: report.checked,
              reason: ctx.t(`backoffice.audit_reason.${report.brokenAt.reason}`),
            })}
          </p>
        </Notice>
      )}
      <p>
        <a class="button secondary" href="/backoffice/audit" safe>
          {ctx.t('backoffice.audit_run')}
        </a>
      </p>
    </BackofficeLayout>
  );
}
