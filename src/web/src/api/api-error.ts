import type { ErrorBody } from '../../../contracts/common.js';

/** A failed API call, carrying the server's wire error body so screens can show error and details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: string;
  readonly requestId: string | null;
  readonly fields: { path: string; message: string }[];

  constructor(status: number, body: Partial<ErrorBody> | null, fallback: string) {
    super(body?.error ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code ?? (status === 0 ? 'NETWORK' : 'UNKNOWN');
    this.details = body?.details ?? '';
    this.requestId = body?.requestId ?? null;
    this.fields = body?.fields ?? [];
  }
}

/** "Error — details" for any thrown value, so every screen reports failures the same way. */
export function describeError(error: unknown): { title: string; details: string } {
  if (error instanceof ApiError) return { title: error.message, details: error.details };
  if (error instanceof Error) return { title: error.message, details: '' };
  return { title: String(error), details: '' };
}
