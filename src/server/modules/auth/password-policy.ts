import { AppError } from '../../errors.js';

/**
 * PASSWORD_MIN_LENGTH is configuration, so it is checked here rather than in the request schema.
 * The details are the sentence the original product's dashboard shows for a short password (it
 * displays `details`, else `error`), with our minimum; the field entry has the schema's shape.
 */
export function assertPasswordPolicy(password: string, minLength: number, fieldPath: string): void {
  if ([...password].length >= minLength) return;
  throw new AppError('VALIDATION_FAILED', 'Password too short', `Password must be at least ${minLength} characters long`, {
    fields: [{ path: fieldPath, message: `must be at least ${minLength} characters` }],
  });
}
