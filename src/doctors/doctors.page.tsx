// Pages of doctors' registration: the guide behind the sign-in page's «ثبت نام پزشکان» link,
// the person's /account/doctor page, the doctor section of the account page, and the
// doctor record (with its history) on the back office's person page.
import { toPersianDigits } from '../identity/digits.js';
import { formatJalaliDate, formatJalaliDateTime } from '../identity/jalali.js';
import type { FieldErrors, PageContext } from '../web/context.js';
import { CsrfField, ErrorSummary, Notice, SubmitButton, TextField } from '../web/components.js';
import type { MessageKey, MessageParams } from '../messages/index.js';
import { Layout } from '../web/layout.js';
import type { DoctorRecordView, DoctorSummary, DoctorView } from './doctors.service.js';

const digits = (ctx: PageContext, s: string) => (ctx.lang === 'fa' ? toPersianDigits(s) : s);

/** A Jalali `YYYY-MM-DD` as the page's language writes dates. */
function jalaliIsoDate(ctx: PageContext, iso: string | null): string {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  if (!m) return '—';
  return formatJalaliDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, ctx.lang);
}

const statusKey = (status: string) => `doctors.status.${status}` as MessageKey;
const reasonKey = (reason: string) => `doctors.reason.${reason}` as MessageKey;

function StatusBadge(props: { ctx: PageContext; status: DoctorSummary['status']; id?: string }) {
  return (
    <span class={props.status === 'verified' ? 'badge badge-active' : 'badge'} id={props.id} safe>
      {props.ctx.t(statusKey(props.status))}
    </span>
  );
}

/** GET /doctors: the steps, from the sign-in page's link. */
export function DoctorsGuidePage(props: { ctx: PageContext }) {
  const { ctx } = props;
  const steps: [MessageKey, MessageKey][] = [
    ['doctors.guide_step1_title', 'doctors.guide_step1_text'],
    ['doctors.guide_step2_title', 'doctors.guide_step2_text'],
    ['doctors.guide_step3_title', 'doctors.guide_step3_text'],
  ];
  return (
    <Layout ctx={ctx} title={ctx.t('doctors.guide_title')}>
      <h1 safe>{ctx.t('doctors.guide_title')}</h1>
      <p safe>{ctx.t('doctors.guide_intro')}</p>
      <ol class="guide-steps">
        {steps.map(([title, text]) => (
          <li>
            <h2 safe>{ctx.t(title)}</h2>
            <p safe>{ctx.t(text)}</p>
          </li>
        ))}
      </ol>
      {ctx.signedIn ? (
        <p>
          <a class="button" href="/account/doctor" safe>
            {ctx.t('doctors.guide_continue')}
          </a>
        </p>
      ) : (
        <div class="actions">
          <a class="button" href="/signin?next=%2Faccount%2Fdoctor" id="doctors-signin" safe>
            {ctx.t('doctors.guide_signin')}
          </a>
          <a href="/register" safe>
            {ctx.t('doctors.guide_register')}
          </a>
        </div>
      )}
    </Layout>
  );
}

function DoctorDetails(props: { ctx: PageContext; doctor: DoctorView }) {
  const { ctx, doctor: d } = props;
  return (
    <dl class="summary-list">
      <dt safe>{ctx.t('doctors.number')}</dt>
      <dd id="doctor-number" safe>
        {digits(ctx, d.medicalCouncilNumber)}
      </dd>
      <dt safe>{ctx.t('doctors.status_label')}</dt>
      <dd>
        <StatusBadge ctx={ctx} status={d.status} id="doctor-status" />
      </dd>
      {d.status === 'rejected' && d.rejectionReason ? (
        <>
          <dt safe>{ctx.t('doctors.reason_label')}</dt>
          <dd safe>{ctx.t(reasonKey(d.rejectionReason))}</dd>
        </>
      ) : (
        ''
      )}
      {d.specialty ? (
        <>
          <dt safe>{ctx.t('doctors.specialty')}</dt>
          <dd safe>{d.specialty}</dd>
        </>
      ) : (
        ''
      )}
      {d.licenceValidUntil ? (
        <>
          <dt safe>{ctx.t('doctors.licence_valid_until')}</dt>
          <dd safe>{jalaliIsoDate(ctx, d.licenceValidUntil)}</dd>
        </>
      ) : (
        ''
      )}
      <dt safe>{ctx.t('doctors.submitted_at')}</dt>
      <dd safe>{formatJalaliDateTime(d.submittedAt, ctx.lang)}</dd>
    </dl>
  );
}

/** GET/POST /account/doctor: the record (if any) and, unless verified or pending, the form. */
export function DoctorPage(props: {
  ctx: PageContext;
  doctor: DoctorView | null;
  values: Record<string, string>;
  errors: FieldErrors;
  errorParams?: MessageParams | undefined;
  notice?: MessageKey | undefined;
}) {
  const { ctx, doctor, errors } = props;
  const canRequest = !doctor || doctor.status === 'rejected';
  const labels = { medicalCouncilNumber: ctx.t('doctors.number') };
  return (
    <Layout ctx={ctx} title={ctx.t('doctors.page_title')}>
      <p>
        <a href="/account" safe>
          {ctx.t('account.back')}
        </a>
      </p>
      <h1 safe>{ctx.t('doctors.page_title')}</h1>
      {props.notice ? (
        <Notice kind="success">
          <p safe>{ctx.t(props.notice)}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} params={props.errorParams} />
      {doctor ? (
        <section class="card" aria-labelledby="doctor-record-title">
          <h2 id="doctor-record-title" safe>
            {ctx.t('doctors.nav')}
          </h2>
          <DoctorDetails ctx={ctx} doctor={doctor} />
          <p safe>
            {ctx.t(doctor.status === 'verified' ? 'doctors.verified_text' : doctor.status === 'rejected' ? 'doctors.rejected_text' : 'doctors.pending_text')}
          </p>
        </section>
      ) : (
        ''
      )}
      {canRequest ? (
        <form method="post" action="/account/doctor" novalidate>
          <CsrfField ctx={ctx} />
          <p safe>{ctx.t('doctors.intro')}</p>
          <TextField
            ctx={ctx}
            name="medicalCouncilNumber"
            label={labels.medicalCouncilNumber}
            hint={ctx.t('doctors.number_hint')}
            errors={errors}
            value={props.values.medicalCouncilNumber ?? ''}
            inputmode="numeric"
            autocomplete="off"
            dir="ltr"
            maxlength={16}
            size="medium"
          />
          <SubmitButton label={ctx.t('doctors.submit')} />
        </form>
      ) : (
        ''
      )}
    </Layout>
  );
}

/** The doctor section of the account page. */
export function AccountDoctorSection(props: { ctx: PageContext; doctor: DoctorSummary | null }) {
  const { ctx, doctor } = props;
  return (
    <section class="card" aria-labelledby="doctor-title">
      <h2 id="doctor-title" safe>
        {ctx.t('doctors.nav')}
      </h2>
      {doctor ? (
        <p>
          <span safe>{`${ctx.t('doctors.number')}: ${digits(ctx, doctor.medicalCouncilNumber)}`}</span>{' '}
          <StatusBadge ctx={ctx} status={doctor.status} id="account-doctor-status" />
          {doctor.specialty ? <span safe>{` — ${doctor.specialty}`}</span> : ''}
        </p>
      ) : (
        <p class="muted" safe>
          {ctx.t('doctors.none')}
        </p>
      )}
      <p>
        <a href="/account/doctor" safe>
          {ctx.t(doctor ? 'doctors.view_link' : 'doctors.add_link')}
        </a>
      </p>
    </section>
  );
}

/** The back office's person page: the doctor record and its history. */
export function BackofficeDoctorSection(props: { ctx: PageContext; record: DoctorRecordView | null }) {
  const { ctx, record } = props;
  return (
    <section class="card" aria-labelledby="doctor-record-title">
      <h2 id="doctor-record-title" safe>
        {ctx.t('doctors.bo_title')}
      </h2>
      {record ? (
        <>
          <DoctorDetails ctx={ctx} doctor={record} />
          {record.attempts > 0 ? <p class="muted" safe>{ctx.t('doctors.bo_attempts', { attempts: record.attempts })}</p> : ''}
          <h3 safe>{ctx.t('doctors.bo_history')}</h3>
          <table class="data" id="doctor-history">
            <thead>
              <tr>
                <th safe>{ctx.t('doctors.col_time')}</th>
                <th safe>{ctx.t('doctors.col_status')}</th>
                <th safe>{ctx.t('doctors.col_reason')}</th>
                <th safe>{ctx.t('doctors.col_actor')}</th>
              </tr>
            </thead>
            <tbody>
              {record.history.map((h) => (
                <tr>
                  <td safe>{formatJalaliDateTime(h.at, ctx.lang)}</td>
                  <td safe>{ctx.t(statusKey(h.status))}</td>
                  <td safe>{ctx.t(h.reason ? reasonKey(h.reason) : 'doctors.no_reason')}</td>
                  <td safe>{ctx.t(`doctors.actor.${h.actorType}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p safe>{ctx.t('doctors.bo_none')}</p>
      )}
    </section>
  );
}
