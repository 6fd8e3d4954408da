/** A refused body names its field and why (error.field), so the script editor can mark it. */
import { describe, expect, it } from 'vitest';
import { LIMITS, scriptInput } from '../../protocol/index.js';
import { badRequest, FieldError, fieldProblemOf } from '../../controller/server/http/errors.js';

const valid = { name: 'flush-dns', title: 'Flush DNS', interpreter: 'sh', body: 'echo hi' };
const problem = (body: unknown) => {
  const parsed = scriptInput.safeParse(body);
  if (parsed.success) throw new Error('expected a refusal');
  return fieldProblemOf(parsed.error.issues[0]!);
};

describe('fieldProblemOf', () => {
  it('names a script name of the wrong shape as a format problem', () => {
    expect(problem({ ...valid, name: 'Bad Name' })).toEqual({ path: 'name', reason: 'format' });
  });
  it('says which parameter of the list is wrong', () => {
    expect(problem({ ...valid, parameters: [{ name: 'OK', description: '' }, { name: '1x', description: '' }] })).toEqual({ path: 'parameters.1.name', reason: 'format' });
  });
  it('tells a missing field from an empty one and carries limits', () => {
    expect(problem({ ...valid, title: undefined })).toEqual({ path: 'title', reason: 'required' });
    expect(problem({ ...valid, title: '' })).toEqual({ path: 'title', reason: 'required' });
    expect(problem({ ...valid, name: 'x'.repeat(65) })).toEqual({ path: 'name', reason: 'tooLong', limit: 64 });
    expect(problem({ ...valid, timeoutSeconds: 0 })).toEqual({ path: 'timeoutSeconds', reason: 'tooSmall', limit: 1 });
    expect(problem({ ...valid, timeoutSeconds: LIMITS.maxJobTimeoutSeconds + 1 })).toEqual({ path: 'timeoutSeconds', reason: 'tooLarge', limit: LIMITS.maxJobTimeoutSeconds });
    expect(problem({ ...valid, interpreter: 'perl' })).toEqual({ path: 'interpreter', reason: 'notOneOf' });
    expect(problem({ ...valid, title: 'a\u0007b' })).toEqual({ path: 'title', reason: 'format' });
    // A value of the wrong type is there, not missing.
    expect(problem({ ...valid, title: 42 })).toEqual({ path: 'title', reason: 'invalid' });
    expect(problem({ ...valid, timeoutSeconds: 'soon' })).toEqual({ path: 'timeoutSeconds', reason: 'invalid' });
  });
  it('is carried by the refusal badRequest builds, which never echoes the value', () => {
    const parsed = scriptInput.safeParse({ ...valid, name: 'Secret Value' });
    const err = badRequest(parsed.error!);
    expect(err).toBeInstanceOf(FieldError);
    expect((err as FieldError).field).toEqual({ path: 'name', reason: 'format' });
    expect(err.message).not.toContain('Secret Value');
  });
});
