// Browser routes of password recovery.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { passwordMessageParams } from '../identity/password.js';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import type { MessageKey } from '../web/i18n.js';
import { QuestionAnswerPage, QuestionStartPage, RecoveryChoicePage, RecoveryDonePage, SmsRecoveryPage } from './recovery.page.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export const recoveryRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  const service = platform.recovery;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });
  const passwordParams = passwordMessageParams(platform.account.passwordPolicy);

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
    return sendPage(
      reply,
      QuestionAnswerPage({
        ctx,
        nationalCode: result.value.nationalCode,
        question: `security_question.${result.value.question}` as MessageKey,
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
    if (result.ok) return sendPage(reply, RecoveryDonePage({ ctx, message: 'recovery.done' }));
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

  app.get('/recovery/sms', async (request, reply) => sendPage(reply, SmsRecoveryPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.post('/recovery/sms', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.startSms(body, meta(request));
    const ctx = ctxOf(request, reply);
    if (result.ok) return sendPage(reply, RecoveryDonePage({ ctx, message: 'recovery.sms_sent', extra: 'recovery.sms_not_received' }), 202);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(
      reply,
      SmsRecoveryPage({ ctx, values: { nationalCode: str(body.nationalCode), mobile: str(body.mobile) }, errors: formErrors(result.error), errorParams: result.error.params }),
      STATUS_OF[result.error.kind],
    );
  });
};
