/**
 * Kubernetes resource quantities (`resource.Quantity` of k8s.io/apimachinery).
 *
 * The API server parses a quantity and stores it re-printed in canonical form,
 * so a manifest that says "2.6G" reads back as "2600M" and `kubectl apply`
 * keeps reporting a change. Everything here mirrors the server's rules exactly
 * (bigint arithmetic, never floating point) so we can emit that form up front.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value in nano-units (value * 1e9), exact, rounded up like the API server does */
  readonly nanos: bigint;
  /** 'DecimalSI' | 'BinarySI' | 'DecimalExponent', as the API server infers it from the suffix */
  readonly format: QuantityFormat;
}

const NANOS_PER_UNIT = 1_000_000_000n;
/** The server stores nothing finer than a nano: that is the exponent of `nanos`. */
const NANO_EXPONENT = -9;
/** The server caps binary quantities (only those) at the largest int64. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;
/** Our own bound, so exact bigint math stays small; the server has none for decimals. */
const MAX_DECIMAL_DIGITS = 1000;
/** The server reads the exponent of "1e<n>" into an int32 and silently wraps beyond it. */
const MAX_EXPONENT = 2 ** 31 - 1;

const DECIMAL_SUFFIXES = new Map<string, number>([
  ['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
]);
const BINARY_SUFFIXES = new Map<string, number>([
  ['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60],
]);
const DECIMAL_SUFFIX_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * The same language as the server's scanner: sign, digits, optional fraction,
 * then a run of suffix letters with an optional signed exponent. Which suffixes
 * actually exist is checked afterwards, as the server does.
 */
const QUANTITY_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[+-]?\d*)$/;

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

/** Parses a quantity string; throws Error whose message includes the offending string and says it is not a Kubernetes quantity. Accepts numbers too (treated as their decimal string). */
export function parseQuantity(input: string | number): Quantity {
  const text = toText(input);
  const quantity = parseText(text);
  if (!quantity) {
    const hint = suggestQuantity(text);
    throw new Error(`${JSON.stringify(text)} is not a Kubernetes quantity${hint ? ` (try ${JSON.stringify(hint)})` : ''}`);
  }
  return quantity;
}

/** true when input parses. */
export function isQuantity(input: string | number): boolean {
  try {
    return parseText(toText(input)) !== undefined;
  } catch {
    return false;
  }
}

/** The canonical string the API server would store for this input (throws like parseQuantity). */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/**
 * Formats a Quantity canonically: no fraction, the largest suffix of its
 * format that keeps it exact. Binary values that are not whole multiples of
 * 1024 (or are below 1Ki in magnitude) print as decimal, as on the server.
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) {
    return '0';
  }
  if (q.format === 'BinarySI' && printsAsBinary(q.nanos)) {
    return formatBinary(q.nanos / NANOS_PER_UNIT);
  }
  return formatDecimal(q.nanos, q.format === 'DecimalSI' || q.format === 'BinarySI' ? 'DecimalSI' : 'DecimalExponent');
}

/** -1, 0, 1 */
export function compareQuantities(a: string | number | Quantity, b: string | number | Quantity): number {
  const x = toQuantity(a).nanos;
  const y = toQuantity(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Sum of quantities, keeping the format of the first operand. As with the
 * server's Quantity.Add, a running total that is still zero takes the format of
 * the next operand, so ["0", "512Mi", "512Mi"] sums to "1Gi".
 */
export function sumQuantities(items: ReadonlyArray<string | number | Quantity>): Quantity {
  let total: Quantity = { nanos: 0n, format: 'DecimalSI' };
  for (const item of items) {
    const q = toQuantity(item);
    total = { nanos: total.nanos + q.nanos, format: total.nanos === 0n ? q.format : total.format };
  }
  return Object.freeze(total);
}

/**
 * Bytes (or units) as a bigint, rounded up (for memory math such as deriving
 * a JVM heap from a memory limit). Like the server's Quantity.Value(), rounding
 * is away from zero, so "-1.5" gives -2.
 */
export function quantityToUnits(input: string | number | Quantity): bigint {
  const nanos = toQuantity(input).nanos;
  const units = divideRoundingUp(abs(nanos), NANOS_PER_UNIT);
  return nanos < 0n ? -units : units;
}

/**
 * A suggestion for a common mistake: "50GB" -> "50Gi", "2gi" -> "2Gi",
 * "512mb" -> "512Mi", "1.5 Gi" -> "1.5Gi", "2K" -> "2k", "100B" -> "100".
 * Byte-style units ("GB", "MB", "GiB") map to the binary suffix, since that is
 * what people mean for memory and disk. Undefined when the input is already a
 * quantity or there is no obvious fix.
 */
export function suggestQuantity(input: string): string | undefined {
  const parts = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-zA-Z]*)\s*$/.exec(input);
  const suffix = parts ? suggestSuffix(parts[2]) : undefined;
  if (!parts || suffix === undefined) {
    return undefined;
  }
  const candidate = parts[1] + suffix;
  return candidate !== input && isQuantity(candidate) ? candidate : undefined;
}

function toText(input: string | number): string {
  // String() of a number is also what JSON carries to the server (1e21 -> "1e+21").
  return typeof input === 'number' ? String(input) : input;
}

function toQuantity(input: string | number | Quantity): Quantity {
  return typeof input === 'object' && input !== null ? input : parseQuantity(input);
}

/** The quantity, or undefined when text is not one; throws for quantities too large to handle. */
function parseText(text: string): Quantity | undefined {
  const parts = typeof text === 'string' ? QUANTITY_SYNTAX.exec(text) : null;
  if (!parts) {
    return undefined;
  }
  const [, sign, whole, fraction = '', suffixText] = parts;
  // The server reads a missing number ("Gi", "-", ".") as zero; that is always a typo.
  if (whole === '' && fraction === '') {
    return undefined;
  }
  const suffix = interpretSuffix(text, suffixText);
  if (!suffix) {
    return undefined;
  }
  const digits = (whole + fraction).replace(/^0+/, '');
  const magnitude = digits === '' ? 0n : magnitudeInNanos(text, digits, fraction.length, suffix);
  return Object.freeze({
    nanos: sign === '-' ? -magnitude : magnitude,
    format: parsedFormat(suffix.format, magnitude),
  });
}

function interpretSuffix(text: string, suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) {
    return { base: 10, exponent: decimal, format: 'DecimalSI' };
  }
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) {
    return { base: 2, exponent: binary, format: 'BinarySI' };
  }
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (!exponent) {
    return undefined;
  }
  const value = Number(exponent[1]);
  if (Math.abs(value) > MAX_EXPONENT) {
    // Refuse rather than copy the server's int32 wrap-around ("1e4294967296" is 1 there).
    throw unsupported(text, `its exponent must be within ±${MAX_EXPONENT}`);
  }
  return { base: 10, exponent: value, format: 'DecimalExponent' };
}

/** |value| in nanos, rounded up past nano precision (away from zero, as the server does). */
function magnitudeInNanos(text: string, digits: string, fractionLength: number, suffix: Suffix): bigint {
  const mantissa = BigInt(digits);
  if (suffix.base === 2) {
    const nanos = divideRoundingUp(mantissa * 2n ** BigInt(suffix.exponent) * NANOS_PER_UNIT, 10n ** BigInt(fractionLength));
    return nanos > MAX_BINARY_NANOS ? MAX_BINARY_NANOS : nanos;
  }
  // value = mantissa * 10^scale
  const scale = suffix.exponent - fractionLength;
  if (digits.length + scale > MAX_DECIMAL_DIGITS) {
    throw unsupported(text, `its magnitude must be below 1e${MAX_DECIMAL_DIGITS}`);
  }
  const shift = scale - NANO_EXPONENT;
  if (shift >= 0) {
    return mantissa * 10n ** BigInt(shift);
  }
  // Everything below a nano: any non-zero remainder becomes one nano (also avoids huge powers).
  return -shift > digits.length ? 1n : divideRoundingUp(mantissa, 10n ** BigInt(-shift));
}

/** A binary value strictly between 0 and 1 (e.g. "0.000000000001Ki") is re-labelled decimal at parse time. */
function parsedFormat(format: QuantityFormat, magnitude: bigint): QuantityFormat {
  return format === 'BinarySI' && magnitude > 0n && magnitude < NANOS_PER_UNIT ? 'DecimalSI' : format;
}

function printsAsBinary(nanos: bigint): boolean {
  return abs(nanos) >= 1024n * NANOS_PER_UNIT && nanos % NANOS_PER_UNIT === 0n;
}

function formatBinary(units: bigint): string {
  let mantissa = units;
  let power = 0;
  // Beyond Ei there is no suffix; only sums can get there, since parsing caps at 2^63-1.
  while (power < BINARY_SUFFIX_BY_POWER.length - 1 && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power++;
  }
  return `${mantissa}${BINARY_SUFFIX_BY_POWER[power]}`;
}

/** Expects nanos !== 0n. */
function formatDecimal(nanos: bigint, format: 'DecimalSI' | 'DecimalExponent'): string {
  let mantissa = nanos;
  let exponent = NANO_EXPONENT;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // Floor the exponent to a multiple of three: suffixes (and e-notation) only step by 10^3.
  const excess = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(excess);
  exponent -= excess;
  return `${mantissa}${decimalSuffix(exponent, format)}`;
}

function decimalSuffix(exponent: number, format: 'DecimalSI' | 'DecimalExponent'): string {
  const si = format === 'DecimalSI' ? DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) : undefined;
  if (si !== undefined) {
    return si;
  }
  // DecimalExponent, or a DecimalSI value past "E" (10^18), which the server writes as "1e21".
  return exponent === 0 ? '' : `e${exponent}`;
}

/** The canonical spelling of a mistyped unit, or undefined when the unit is not recognisably one. */
function suggestSuffix(unit: string): string | undefined {
  if (DECIMAL_SUFFIXES.has(unit) || BINARY_SUFFIXES.has(unit)) {
    return unit; // only the spacing around it was wrong
  }
  if (/^(b|bytes?)$/i.test(unit)) {
    return '';
  }
  const parts = /^([kmgtpe])(i?)(b?)$/i.exec(unit);
  if (!parts) {
    return undefined;
  }
  const [, letter, binary, bytes] = parts;
  if (binary || bytes) {
    return `${letter.toUpperCase()}i`;
  }
  // A lone lower-case "e" is a broken exponent, not a unit; "K" is the SI "k".
  return letter === 'e' ? undefined : letter === 'K' ? 'k' : letter.toUpperCase();
}

function divideRoundingUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function unsupported(text: string, reason: string): Error {
  return new Error(`${JSON.stringify(text)} is not a Kubernetes quantity this library supports: ${reason}`);
}
