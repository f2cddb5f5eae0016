import type request from 'supertest';

/** The message of a Nest error body, whether one string or a list of them. */
export function messageOf(res: request.Response): string {
  return [res.body?.message].flat().join('; ');
}
