/** `/sessions/<id>/...`: a session id in a path is a secret, like a password. */
const SESSION_PATH = /(\/sessions\/)[^/?#]+/g;
/** `sessionId=` in a query string, should a client ever put it there. */
const SESSION_QUERY = /([?&]sessionId=)[^&#]*/gi;

/** The URL as it may appear in a log line: session ids replaced by a mark. */
export function redactUrl(url: string): string {
  return url.replace(SESSION_PATH, '$1[redacted]').replace(SESSION_QUERY, '$1[redacted]');
}
