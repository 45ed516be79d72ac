// The security questions a person may choose at registration (ids are stable: stored and
// sent by the API; texts live in the catalogs).
export const SECURITY_QUESTIONS = [
  'mother_birth_city',
  'first_school',
  'childhood_friend',
  'favourite_teacher',
  'first_job_city',
  'favourite_book',
] as const;
export type SecurityQuestion = (typeof SECURITY_QUESTIONS)[number];

export function parseSecurityQuestion(input: unknown) {
  return typeof input === 'string' && (SECURITY_QUESTIONS as readonly string[]).includes(input)
    ? ({ ok: true, value: input as SecurityQuestion } as const)
    : ({ ok: false, error: input === undefined || input === '' ? 'security_question.required' : 'security_question.invalid' } as const);
}
