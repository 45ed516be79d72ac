// The development SMS outbox page (only outside production with the outbox provider).
import { formatJalaliDateTime } from '../identity/jalali.js';
import type { PageContext } from '../web/context.js';
import { Layout } from '../web/layout.js';

export function DevSmsPage(props: { ctx: PageContext; to: string; messages: { to: string; text: string; createdAt: Date; status: string }[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('dev.sms_title')} wide>
      <h1 safe>{ctx.t('dev.sms_title')}</h1>
      <p safe>{ctx.t('dev.sms_intro')}</p>
      <form method="get" action="/dev/sms" class="actions">
        <label for="to" safe>
          {ctx.t('dev.sms_filter')}
        </label>
        <input class="input medium" id="to" name="to" value={props.to} dir="ltr" inputmode="tel" />
        <button class="button secondary" type="submit" safe>
          {ctx.t('dev.sms_show')}
        </button>
      </form>
      {props.messages.length === 0 ? (
        <p safe>{ctx.t('dev.sms_empty')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th safe>{ctx.t('dev.sms_time')}</th>
              <th safe>{ctx.t('dev.sms_to')}</th>
              <th safe>{ctx.t('dev.sms_text')}</th>
              <th safe>{ctx.t('dev.sms_status')}</th>
            </tr>
          </thead>
          <tbody>
            {props.messages.map((m) => (
              <tr>
                <td safe>{formatJalaliDateTime(m.createdAt, ctx.lang)}</td>
                <td class="ltr" safe>
                  {m.to}
                </td>
                <td style="white-space: pre-line" safe>
                  {m.text}
                </td>
                <td safe>{m.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
