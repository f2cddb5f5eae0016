/** A one-line reason for a failed TCP request: an Error, an RPC error body, or anything else. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
