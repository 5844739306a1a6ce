import { AppError } from '../../errors.js';

/** PASSWORD_MIN_LENGTH is configuration, so it is checked here rather than in the request schema; the error has the schema's shape. */
export function assertPasswordPolicy(password: string, minLength: number, fieldPath: string): void {
  if ([...password].length >= minLength) return;
  const message = `must be at least ${minLength} characters`;
  throw new AppError('VALIDATION_FAILED', 'Invalid request', `${fieldPath}: ${message}`, { fields: [{ path: fieldPath, message }] });
}
