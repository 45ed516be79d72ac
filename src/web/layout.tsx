// The one page layout: right-to-left Persian by default, English on request, phone first.
import type { PageContext } from './context.js';

export function Layout(props: {
  ctx: PageContext;
  title: string;
  children?: JSX.Element | JSX.Element[];
  wide?: boolean;
  /** The staff's back office: its own brand link, no citizen sign-in link, its own footer. */
  area?: 'citizen' | 'backoffice';
}) {
  const { ctx } = props;
  const other = ctx.lang === 'fa' ? 'en' : 'fa';
  const backoffice = props.area === 'backoffice';
  return (
    <>
      {'<!doctype html>'}
      <html lang={ctx.lang} dir={ctx.dir}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light" />
          <title safe>{`${props.title} — ${ctx.t('app.name')}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        </head>
        <body class={backoffice ? 'backoffice' : undefined}>
          <a class="skip-link" href="#main" safe>
            {ctx.t('app.skip_to_content')}
          </a>
          <header class="site-header">
            <div class="container header-row">
              <a class="brand" href={backoffice ? '/backoffice' : '/'}>
                <span class="brand-mark" aria-hidden="true">
                  ◆
                </span>
                <span>
                  <strong safe>{ctx.t('app.name')}</strong>
                  <small safe>{ctx.t(backoffice ? 'app.backoffice_org' : 'app.org')}</small>
                </span>
              </a>
              <span class="header-links">
                {backoffice ? (
                  ''
                ) : ctx.signedIn ? (
                  <a class="lang-switch" href="/account" safe>
                    {ctx.t('session.my_account')}
                  </a>
                ) : (
                  <a class="lang-switch" href="/signin" safe>
                    {ctx.t('nav.signin')}
                  </a>
                )}
                <a class="lang-switch" href={`${ctx.path}?lang=${other}`} lang={other} hreflang={other} safe>
                  {ctx.t('app.language_switch')}
                </a>
              </span>
            </div>
          </header>
          <main id="main" class={props.wide ? 'container wide' : 'container'} tabindex="-1">
            {props.children as 'safe'}
          </main>
          <footer class={backoffice ? 'site-footer backoffice-footer' : 'site-footer'}>
            <div class="container" safe>
              {ctx.t(backoffice ? 'app.backoffice_footer' : 'app.footer')}
            </div>
          </footer>
          <script src="/static/app.js" defer></script>
        </body>
      </html>
    </>
  );
}
