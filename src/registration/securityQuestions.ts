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

/**
 * The OpenAPI document with every `securityQuestion` property listed as an `enum` of the
 * offered ids (API.md). Only the document: request validation keeps accepting any string, so
 * a wrong id gets the localised field error beside the other field errors.
 */
export function withSecurityQuestionEnum<T>(doc: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object') {
        const props: Record<string, unknown> = {};
        for (const [name, schema] of Object.entries(value as Record<string, unknown>)) {
          const s = walk(schema) as Record<string, unknown>;
          props[name] = name === 'securityQuestion' && s && s.type === 'string' && !s.enum ? { ...s, enum: [...SECURITY_QUESTIONS] } : s;
        }
        out[key] = props;
      } else out[key] = walk(value);
    }
    return out;
  };
  return walk(doc) as T;
}
