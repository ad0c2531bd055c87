/**
 * ClearML parses every `CLEARML__*` environment value as HOCON: a value starting with a digit and a
 * unit letter (`1m...`) becomes a duration, one starting with `true`, `no`, `off`, ... a boolean or
 * null, and `+ = $ , " { } [ ] ! @ * & ^ ? # :` or whitespace break or cut the parse. Generated
 * credentials (and bring-your-own ones) therefore use letters and digits only, start with a letter, and
 * start with none of those words: HOCON reads such a value back unchanged.
 */
export const HOCON_RESERVED_PREFIXES: readonly string[] = ['true', 'false', 'null', 'yes', 'no', 'on', 'off'];

/** The rule, in words, for messages and docs. */
export const HOCON_SAFE_RULE = 'letters and digits only, starting with a letter, not starting with true/false/null/yes/no/on/off (any case)';

/** Whether ClearML reads this value back exactly as written. */
export function isHoconSafe(value: string): boolean {
  const lower = value.toLowerCase();
  return /^[A-Za-z][A-Za-z0-9]*$/.test(value) && !HOCON_RESERVED_PREFIXES.some((p) => lower.startsWith(p));
}
