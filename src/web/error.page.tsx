// A plain error page: what went wrong, in the person's language, and a way back.
import type { PageContext } from './context.js';
import { Layout } from './layout.js';

export function ErrorPage(props: { ctx: PageContext; message: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('error.title')}>
      <h1 safe>{ctx.t('error.title')}</h1>
      <div class="notice notice-warning" role="alert">
        <p safe>{props.message}</p>
      </div>
      <p>
        <a href="/" safe>
          {ctx.t('error.back_home')}
        </a>
      </p>
    </Layout>
  );
}
