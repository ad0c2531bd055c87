#!/usr/bin/env node
/**
 * Hashes a password for a fixed ClearML user with `pass_hashed: true`: base64 of a bcrypt hash, as
 * ClearML's docs make it with Python
 * (`base64.b64encode(bcrypt.hashpw(pw.encode(), bcrypt.gensalt()))`); the server base64-decodes the
 * stored value and checks it with `bcrypt.checkpw`.
 *
 *   printf '%s' "$PASSWORD" | npm run --silent hash-password
 *   npm run --silent hash-password          # on a terminal: prompts, without echo
 *
 * The password is read from stdin (never from the command line, so it stays out of shell history and
 * `ps`); one trailing newline is removed. Prints only the base64 string. Exit code 2 for an empty
 * password, one longer than bcrypt's 72-byte limit (bcrypt silently ignores the rest) or invalid UTF-8.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';

/** The part of bcryptjs 2.x used here (the package ships no type declarations). */
interface Bcryptjs {
  hashSync(password: string, salt: string): string;
  encodeBase64(bytes: Buffer | number[], length: number): string;
}
const bcrypt: Bcryptjs = require('bcryptjs');

/** bcrypt cost factor (2^12 rounds), Python bcrypt's default. */
export const COST = 12;
/** The cost factors bcrypt accepts. */
export const MIN_COST = 4;
export const MAX_COST = 31;
/** bcrypt uses at most this many bytes of the password. */
export const MAX_PASSWORD_BYTES = 72;

export const USAGE = 'usage: clearml-hash-password < password-file   (npm run --silent hash-password here)\n'
  + 'Reads a password from stdin (one trailing newline is removed) and prints base64(bcrypt hash), the\n'
  + 'form ClearML Server expects for fixed users with pass_hashed: true.\n';

/** An unusable password; exit code 2. */
export class PasswordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordError';
  }
}

/** Throws PasswordError unless bcrypt can hash the whole password. */
export function checkPassword(password: string): void {
  if (password.length === 0) {
    throw new PasswordError('the password is empty');
  }
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) {
    throw new PasswordError(`the password is ${bytes} bytes long (UTF-8); bcrypt only uses the first ${MAX_PASSWORD_BYTES} `
      + 'and would ignore the rest: use a shorter one');
  }
}

/**
 * base64 of a `$2b$12$...` bcrypt hash of the password (the `$2b$` prefix that Python's bcrypt writes;
 * bcryptjs 2.x would write `$2a$` by default, which is the same algorithm for passwords under 255 bytes).
 * The 16-byte salt comes from crypto.randomBytes. `cost` is bcrypt's cost factor (2^cost rounds).
 */
export function hashPassword(password: string, cost: number = COST): string {
  checkPassword(password);
  if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST) {
    throw new RangeError(`bcrypt cost must be an integer from ${MIN_COST} to ${MAX_COST}, not ${cost}`);
  }
  const salt = `$2b$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(randomBytes(16), 16)}`;
  const hash = bcrypt.hashSync(password, salt);
  return Buffer.from(hash, 'utf8').toString('base64');
}

/** The password in what was read from stdin: strict UTF-8, less one trailing "\n" (or "\r\n"). */
export function passwordFromInput(input: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new PasswordError('the password is not valid UTF-8');
  }
  return text.replace(/\r?\n$/, '');
}

/** Reads one line from a terminal without echoing it; undefined on Ctrl-C. */
function readHiddenLine(prompt: string): Promise<string | undefined> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    const decoder = new StringDecoder('utf8');
    let line = '';
    const finish = (value: string | undefined) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of decoder.write(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish(line);
          return;
        } else if (ch === '\u0003') {
          finish(undefined);
          return;
        } else if (ch === '\u007f' || ch === '\b') {
          line = Array.from(line).slice(0, -1).join('');
        } else {
          line += ch;
        }
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Runs the command on a password already read; returns the exit code. */
export function hashMain(input: Buffer, out: (s: string) => void, err: (s: string) => void): number {
  try {
    out(`${hashPassword(passwordFromInput(input))}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof PasswordError)) throw e;
    err(`hash-password: ${e.message}\n`);
    return 2;
  }
}

async function cli(argv: readonly string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  if (argv.includes('-h') || argv.includes('--help')) {
    out(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    err(`hash-password: unexpected argument "${argv[0]}" (the password is read from stdin)\n${USAGE}`);
    return 2;
  }
  if (process.stdin.isTTY) {
    const line = await readHiddenLine('Password: ');
    if (line === undefined) return 130;
    return hashMain(Buffer.from(line, 'utf8'), out, err);
  }
  return hashMain(fs.readFileSync(0), out, err);
}

if (require.main === module) {
  cli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
