// What every stage shares about errors: the start-up error a user can fix, and how a caught value becomes
// the one line of text a log line or a response carries.

/** A start-up problem the user can fix: printed as one log line, exit 1, no stack trace. */
export class StartupError extends Error {}

/** The message of a caught value: an Error's (or an error-like object's) message, else the value as text. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}
