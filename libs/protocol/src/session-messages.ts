/** Session payloads. A sessionId is a secret: only its holder ever sees it. */

export interface OpenSessionRequest {
  clientId: string;
  ttlMs?: number;
}

export interface OpenSessionResponse {
  sessionId: string;
  clientId: string;
  ttlMs: number;
}

export interface KeepAliveRequest {
  sessionId: string;
}

export interface KeepAliveResponse {
  sessionId: string;
  ttlMs: number;
}

export interface CloseSessionRequest {
  sessionId: string;
}

export interface CloseSessionResponse {
  sessionId: string;
  closed: true;
}
