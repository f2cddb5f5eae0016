import type { ValidationRule } from './validation-rule';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port" (or a bare port, meaning 127.0.0.1). Returns null when malformed. */
export function parseHostPort(text: string): HostPort | null {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(text.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? '127.0.0.1', port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return `${host}:${port}`;
}

/** A TCP or HTTP address of a node, as `parseHostPort` reads it. */
export const HOST_PORT: ValidationRule<string> = {
  format: 'host:port',
  test: (value: unknown): value is string => typeof value === 'string' && parseHostPort(value) !== null,
  message: (field) => `${field} must be host:port`,
};
