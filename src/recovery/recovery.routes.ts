// Browser routes of password recovery.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { passwordMessageParams } from '../identity/password.js';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import type { MessageKey } from '../messages/index.js';
import { createPageResults } from '../web/result.js';
import { QuestionAnswerPage, QuestionStartPage, RecoveryChoicePage, RecoveryDonePage, SmsRecoveryPage } from './recovery.page.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The services this plugin uses (it receives only these). */
export const RECOVERY_ROUTES_SERVICES = ['account', 'clock', 'config', 'recovery', 'secrets'] as const;

export const recoveryRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof RECOVERY_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.recovery;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });
  const passwordParams = passwordMessageParams(platform.account.passwordPolicy);
  const pageResults = createPageResults(platform.secrets, { secure: platform.config.publicUrl.startsWith('https:'), now: platform.clock });
  const ANSWER_PATH = '/recovery/question/answer';
  const QUESTION_DONE_PATH = '/recovery/question/done';
  const SMS_SENT_PATH = '/recovery/sms/sent';

  app.get('/recovery', async (request, reply) => sendPage(reply, RecoveryChoicePage({ ctx: ctxOf(request, reply) })));

  app.get('/recovery/question', async (request, reply) => sendPage(reply, QuestionStartPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.post('/recovery/question', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.startQuestion(body, meta(request));
    const ctx = ctxOf(request, reply);
    if (!result.ok) {
      if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
      return sendPage(reply, QuestionStartPage({ ctx, values: { nationalCode: str(body.nationalCode) }, errors: formErrors(result.error), errorParams: result.error.params }), STATUS_OF[result.error.kind]);
    }
    // The question is shown by a page of its own (reloadable; the national code is not put in the address).
    pageResults.keep(reply, ANSWER_PATH, { nationalCode: result.value.nationalCode });
    return reply.redirect(ANSWER_PATH, 303);
  });

  app.get(ANSWER_PATH, async (request, reply) => {
    const kept = pageResults.read<{ nationalCode?: unknown }>(request, ANSWER_PATH);
    const asked = kept ? await service.questionOf(kept.nationalCode) : null;
    if (!asked) return reply.redirect('/recovery/question', 303);
    return sendPage(
      reply,
      QuestionAnswerPage({
        ctx: ctxOf(request, reply),
        nationalCode: asked.nationalCode,
        question: `security_question.${asked.question}` as MessageKey,
        values: {},
        errors: {},
        problems: [],
        passwordParams,
      }),
    );
  });

  app.post('/recovery/question/answer', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.completeQuestion(body, meta(request));
    const ctx = ctxOf(request, reply);
    if (result.ok) {
      pageResults.drop(reply, ANSWER_PATH);
      pageResults.keep(reply, QUESTION_DONE_PATH, { done: true });
      return reply.redirect(QUESTION_DONE_PATH, 303);
    }
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    // The question is asked again (the same one the first step showed).
    const again = await service.questionOf(body.nationalCode);
    if (!again) {
      return sendPage(reply, QuestionStartPage({ ctx, values: { nationalCode: str(body.nationalCode) }, errors: formErrors(result.error), errorParams: result.error.params }), STATUS_OF[result.error.kind]);
    }
    return sendPage(
      reply,
      QuestionAnswerPage({
        ctx,
        nationalCode: again.nationalCode,
        question: `security_question.${again.question}` as MessageKey,
        values: { answer: str(body.answer) },
        errors: formErrors(result.error),
        problems: result.error.fieldDetails?.newPassword ?? [],
        errorParams: result.error.params,
        passwordParams,
      }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get(QUESTION_DONE_PATH, async (request, reply) => {
    if (!pageResults.read(request, QUESTION_DONE_PATH)) return reply.redirect('/recovery', 303);
    return sendPage(reply, RecoveryDonePage({ ctx: ctxOf(request, reply), message: 'recovery.done' }));
  });

  // The same page whether or not the national code and mobile matched (nothing is revealed).
  app.get(SMS_SENT_PATH, async (request, reply) =>
    sendPage(reply, RecoveryDonePage({ ctx: ctxOf(request, reply), message: 'recovery.sms_sent', extra: 'recovery.sms_not_received' })),
  );

  app.get('/recovery/sms', async (request, reply) => sendPage(reply, SmsRecoveryPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.post('/recovery/sms', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.startSms(body, meta(request));
    const ctx = ctxOf(request, reply);
    // Reloading the page that says so never sends another SMS.
    if (result.ok) return reply.redirect(SMS_SENT_PATH, 303);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(
      reply,
      SmsRecoveryPage({ ctx, values: { nationalCode: str(body.nationalCode), mobile: str(body.mobile) }, errors: formErrors(result.error), errorParams: result.error.params }),
      STATUS_OF[result.error.kind],
    );
  });
};
