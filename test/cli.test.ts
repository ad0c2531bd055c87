/**
 * The two helper commands of lib/cli/: `new-credentials-secret` (a Secret manifest with fresh random
 * credentials, for sealed-secrets / external-secrets users) and `hash-password` (base64 of a bcrypt
 * hash for fixed users with pass_hashed: true). Most checks call the exported functions; a few run the
 * real CLI (kept few: each process start costs a few hundred milliseconds).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ALL_CREDENTIAL_KEYS, CREDENTIALS } from '../lib/security/credential-keys';
import { COST, hashPassword, hashMain, MAX_PASSWORD_BYTES, MIN_COST, passwordFromInput, PasswordError } from '../lib/cli/hash-password';
import { DEFAULT_OPTIONS, main as secretMain, parseArgs, renderCredentialsSecret, UsageError } from '../lib/cli/new-credentials-secret';
import { PYTHON } from './support/python';

// bcryptjs 2.x ships no type declarations.
const bcryptjs: { compareSync(password: string, hash: string): boolean } = require('bcryptjs');

const ROOT = path.resolve(__dirname, '..');
const KEY_SHAPE = /^[A-Z0-9]{30}$/;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{64}$/;
const AGENT_KEYS = CREDENTIALS.servicesAgent.map((k) => k.secretKey);

function runScript(script: string, args: readonly string[], input?: string | Buffer): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', `lib/cli/${script}`, ...args], {
    cwd: ROOT, input, encoding: 'utf8', timeout: 60_000,
  });
}

interface SecretDoc {
  apiVersion: string;
  kind: string;
  type: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  stringData: Record<string, string>;
}

/** Parses a YAML stream, failing on any YAML error or duplicate key. */
function parseDocs(text: string): SecretDoc[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) throw new Error('no YAML documents');
  for (const d of docs) {
    expect(d.errors).toEqual([]);
  }
  return docs.map((d) => d.toJS() as SecretDoc);
}

/** Checks the main credentials Secret and returns its values. */
function checkMainSecret(doc: SecretDoc, name: string, namespace: string): Record<string, string> {
  expect(doc.apiVersion).toBe('v1');
  expect(doc.kind).toBe('Secret');
  expect(doc.type).toBe('Opaque');
  expect(doc.metadata).toEqual({
    name,
    namespace,
    labels: { 'app.kubernetes.io/name': 'clearml', 'app.kubernetes.io/part-of': 'clearml' },
  });
  const keys = Object.keys(doc.stringData);
  expect(keys.sort()).toEqual(ALL_CREDENTIAL_KEYS.map((k) => k.secretKey).sort());
  for (const k of ALL_CREDENTIAL_KEYS) {
    expect([k.secretKey, doc.stringData[k.secretKey]]).toEqual([k.secretKey, expect.stringMatching(k.kind === 'key' ? KEY_SHAPE : SECRET_SHAPE)]);
  }
  const values = Object.values(doc.stringData);
  expect(new Set(values).size).toBe(values.length);
  return doc.stringData;
}

describe('new-credentials-secret', () => {
  // The command runs for real below (a bad argument) and, installed from the tarball, in package.test.ts.
  test('prints the full Secret and one services-agent copy per --also-namespace', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(secretMain(['--name', 'creds', '--namespace=ml', '--also-namespace', 'ml-priv', '--also-namespace=ml-other'], (s) => out.push(s), (s) => err.push(s))).toBe(0);
    expect(err).toEqual([]);
    const docs = parseDocs(out.join(''));
    expect(docs.map((d) => d.metadata.namespace)).toEqual(['ml', 'ml-priv', 'ml-other']);
    const values = checkMainSecret(docs[0], 'creds', 'ml');
    for (const copy of docs.slice(1)) {
      expect(copy.metadata.name).toBe('creds');
      expect(copy.metadata.labels).toEqual(docs[0].metadata.labels);
      expect(copy.type).toBe('Opaque');
      expect(copy.stringData).toEqual(Object.fromEntries(AGENT_KEYS.map((k) => [k, values[k]])));
    }
  });

  test('defaults, and every run makes new values', () => {
    const [a, b] = [0, 1].map(() => {
      const docs = parseDocs(renderCredentialsSecret(parseArgs([])!));
      expect(docs).toHaveLength(1);
      return checkMainSecret(docs[0], 'clearml-credentials', 'clearml');
    });
    for (const k of ALL_CREDENTIAL_KEYS) {
      expect(a[k.secretKey]).not.toBe(b[k.secretKey]);
    }
    expect(parseArgs([])).toEqual(DEFAULT_OPTIONS);
  });

  test('--help prints the usage on stdout', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(secretMain(['--help'], (s) => out.push(s), (s) => err.push(s))).toBe(0);
    expect(out.join('')).toMatch(/^usage: clearml-new-secret .*--also-namespace/);
    expect(err).toEqual([]);
  });

  test.each([
    [['--bogus'], '--bogus'],
    [['extra'], 'extra'],
    [['--name'], '--name'],
    [['--namespace', '--name', 'x'], '--namespace'],
    [['--namespace', 'Not_A_Label'], '--namespace'],
    [['--name=UPPER'], '--name'],
    [['--name', 'a', '--name', 'b'], '--name'],
    [['--also-namespace', 'clearml'], '--also-namespace'],
    [['--also-namespace', 'x', '--also-namespace', 'x'], '--also-namespace'],
    [['--also-namespace='], '--also-namespace'],
  ])('bad arguments %j: exit 2, message names %s', (args, option) => {
    expect(() => parseArgs(args)).toThrow(UsageError);
    const out: string[] = [];
    const err: string[] = [];
    expect(secretMain(args, (s) => out.push(s), (s) => err.push(s))).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toContain(option);
  });

  test('CLI: bad argument exits 2 with the option on stderr and nothing on stdout', () => {
    const r = runScript('new-credentials-secret.ts', ['--namespace', 'clearml', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--frobnicate');
    expect(r.stderr).toContain('usage:');
  });
});

describe('hash-password', () => {
  const password = 'correct horse battery staple ✓';

  // bcrypt's cost is 2^cost rounds: the least cost (4) keeps these checks fast; the default cost (12) is
  // checked on the installed command's output (package.test.ts), which is verified too.
  test('base64 of a $2b$ bcrypt hash that verifies the password only', () => {
    const encoded = hashPassword(password, MIN_COST);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    expect(decoded).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(bcryptjs.compareSync(password, decoded)).toBe(true);
    expect(bcryptjs.compareSync(`${password}x`, decoded)).toBe(false);

    // One python3 run: it says when the bcrypt module is missing instead of a second run to ask first.
    const check = spawnSync(PYTHON, ['-c', [
      'import base64, sys',
      'try:',
      '    import bcrypt',
      'except ImportError:',
      '    print("no bcrypt module")',
      '    sys.exit(0)',
      'h = base64.b64decode(sys.argv[1])',
      'print(bcrypt.checkpw(sys.argv[2].encode(), h), bcrypt.checkpw(sys.argv[2].encode() + b"x", h))',
    ].join('\n'), encoded, password], { encoding: 'utf8', timeout: 60_000 });
    if (check.status === 0 && check.stdout === 'no bcrypt module\n') {
      console.log('hash-password: python3 bcrypt module not installed; skipped the bcrypt.checkpw cross-check');
      return;
    }
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('True False');
  });

  test('input: one trailing newline removed, strict UTF-8, length limits', () => {
    expect(passwordFromInput(Buffer.from('pw\n'))).toBe('pw');
    expect(passwordFromInput(Buffer.from('pw\r\n'))).toBe('pw');
    expect(passwordFromInput(Buffer.from('pw\n\n'))).toBe('pw\n');
    expect(passwordFromInput(Buffer.from(' pw '))).toBe(' pw ');
    expect(() => passwordFromInput(Buffer.from([0x70, 0xff]))).toThrow(PasswordError);
    expect(() => hashPassword('')).toThrow(/empty/);
    for (const cost of [3, 32, 12.5]) expect(() => hashPassword('pw', cost)).toThrow(`bcrypt cost must be an integer from 4 to 31, not ${cost}`);
    expect(() => hashPassword('é'.repeat(37))).toThrow(/74 bytes.*72/);
    const err: string[] = [];
    expect(hashMain(Buffer.from('\n'), () => undefined, (s) => err.push(s))).toBe(2);
    expect(err.join('')).toMatch(/empty/);
    expect(MAX_PASSWORD_BYTES).toBe(72);
    expect(COST).toBe(12);
  });

  test.each([
    ['empty', '', /empty/],
    ['73 bytes', `${'a'.repeat(73)}\n`, /73 bytes.*72/],
  ])('CLI: %s password exits 2', (_name, input, message) => {
    const r = runScript('hash-password.ts', [], input);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
