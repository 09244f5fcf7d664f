import { z } from 'zod';
import { limits } from './limits.js';

/**
 * zod building blocks that carry a bound: every string and list a client sends goes through
 * one of these, so a limit is stated once (`limits.ts`) and named in the refusal.
 */

/** Control characters (newline, NUL...) never belong in names, images, paths or signals. */
export const controlChars = /[\u0000-\u001f\u007f]/;

/** Free text (an argument, an environment value): bounded, no NUL (no process can receive one). */
export const boundedText = (max: number = limits.textLength): z.ZodString =>
  z.string().max(max, `must be at most ${max} characters`).refine((s) => !s.includes('\0'), 'must not contain a NUL character');

/** A one-line field (user, hostname, secret target): bounded, no control characters. */
export const boundedLine = (max: number = limits.shortTextLength): z.ZodString =>
  z.string().max(max, `must be at most ${max} characters`).refine((s) => !controlChars.test(s), 'must not contain control characters (newline, NUL, ...)');

/** A list of at most `max` items. */
export function boundedArray<T extends z.ZodType>(item: T, max: number): z.ZodArray<T> {
  return z.array(item).max(max, `must have at most ${max} entries`);
}

/**
 * A map of at most `max` entries. The count is checked before any entry is parsed: a 1 MiB body
 * holds some 20,000 entries, whose parsing alone would hold the event loop for a few 100 ms.
 */
export function boundedRecord<K extends z.ZodType<string, string>, V extends z.ZodType>(key: K, value: V, max: number) {
  const record = z.record(key, value);
  const counted = z.custom<z.input<typeof record>>(
    (v) => typeof v !== 'object' || v === null || Object.keys(v).length <= max,
    `must have at most ${max} entries`,
  );
  return counted.pipe(record);
}

/** Labels of any object (service, container, node, network, secret, config). */
export const labelMapSchema = boundedRecord(
  boundedLine(limits.labelKeyLength).min(1, 'must not be empty'),
  boundedText(limits.labelValueLength),
  limits.labels,
);
