// The main page: what the portal is and where to go.
import type { PageContext } from './context.js';
import { InsuredTile } from '../insured/insured.page.js';
import { Layout } from './layout.js';

export function HomePage(props: { ctx: PageContext; insuredGroups?: readonly string[] }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('home.title')}>
      <h1 safe>{ctx.t('home.title')}</h1>
      <p safe>{ctx.t('home.intro')}</p>
      <section class="signin-cta" aria-labelledby="signin-cta-title">
        <div>
          <h2 id="signin-cta-title" safe>
            {ctx.t('signin.home_title')}
          </h2>
          <p safe>{ctx.t('signin.home_text')}</p>
        </div>
        <p class="actions">
          <a class="button" href="/signin" safe>
            {ctx.t('signin.submit')}
          </a>{' '}
          <a href="/recovery" safe>
            {ctx.t('signin.link_recovery')}
          </a>
        </p>
      </section>
      <nav class="tiles" aria-label={ctx.t('nav.home')}>
        <a class="tile" href="/register">
          <h2 safe>{ctx.t('home.register_title')}</h2>
          <p safe>{ctx.t('home.register_text')}</p>
        </a>
        <a class="tile" href="/register/status">
          <h2 safe>{ctx.t('home.status_title')}</h2>
          <p safe>{ctx.t('home.status_text')}</p>
        </a>
        {props.insuredGroups ? <InsuredTile ctx={ctx} groups={props.insuredGroups} /> : ''}
      </nav>
      {ctx.devHelpers ? (
        <p class="muted">
          <a href="/dev/sms" safe>
            {ctx.t('dev.sms_title')}
          </a>
        </p>
      ) : (
        ''
      )}
    </Layout>
  );
}
