import { assert } from '@app/replicated-log';
import type { LogEntry } from '@app/replicated-log';

/**
 * Each log entry's JSON, made once and shared by everything that writes it out: the WAL
 * record that stores it and the AppendEntries to each follower that carry it, instead of
 * one encoding per follower plus one for the disk. Entries do not change once they are in
 * the log; the cache is weak, so it lets go of them when the log does.
 */
const encodedEntries = new WeakMap<object, string>();

export function entryJson(entry: LogEntry<unknown>): string {
  let json = encodedEntries.get(entry);
  if (json === undefined) {
    json = JSON.stringify(entry);
    encodedEntries.set(entry, json);
  }
  return json;
}

const ENTRIES_PLACEHOLDER = '"entries":0';

/**
 * Exactly `JSON.stringify(value)`, with the top-level `entries` array written from the
 * cache: the rest of `value` is encoded with the array replaced by a placeholder at the
 * same key position, which is then swapped for the entries. Inside a JSON string every
 * quote is escaped, so the placeholder can only match the key itself.
 */
export function jsonWithEntries<T extends { entries: readonly LogEntry<unknown>[] }>(value: T): string {
  const text = JSON.stringify({ ...value, entries: 0 });
  const at = text.indexOf(ENTRIES_PLACEHOLDER);
  assert(at >= 0 && text.lastIndexOf(ENTRIES_PLACEHOLDER) === at, 'one top-level entries key');
  const entries = `[${value.entries.map(entryJson).join(',')}]`;
  return `${text.slice(0, at)}"entries":${entries}${text.slice(at + ENTRIES_PLACEHOLDER.length)}`;
}
