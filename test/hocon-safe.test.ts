/**
 * Issue 8: ClearML parses `CLEARML__SECURE__*` values as HOCON, so generated credentials must be values
 * HOCON reads back unchanged. Both generators (the in-cluster bootstrap Job, in Python, and the
 * new-secret command) are drawn from many times and every value is held against the rule.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateCredentials, generateValue } from '../lib/cli/new-credentials-secret';
import { BOOTSTRAP_SCRIPT } from '../lib/security/bootstrap-script';
import { isHoconSafe } from '../lib/security/hocon-safe';
import { PYTHON } from './support/python';

const DRAWS = 20_000;
/**
 * Python's secrets.choice reads the system's random source once per character: fewer draws keep the suite
 * fast, still thousands of rejected draws per kind; the Python rule is also held against every case below.
 */
const PYTHON_DRAWS = 2_000;
const REFUSED = ['1m4Kx9', '5d00AB', '12345', 'trueABC', 'FALSEx', 'nullish', 'yes1', 'NoWay', 'on2', 'offset', 'a+b', 'a=b', 'a$b', 'a,b', 'a"b', 'a{b', 'a!b', 'a@b', 'a*b', 'a&b', 'a^b', 'a?b', 'a#b', 'a b', 'a-b', 'a_b', '_ab', ''];
const ACCEPTED = ['A1B2C3', 'abc', 'Z', 'tru3', 'fals', 'nul1', 'ye5', 'n0', 'o1'];

describe('the rule', () => {
  test.each(REFUSED)('refuses %j', (value) => {
    expect(isHoconSafe(value)).toBe(false);
  });
  test.each(ACCEPTED)('accepts %j', (value) => {
    expect(isHoconSafe(value)).toBe(true);
  });
});

describe('new-secret', () => {
  test(`${DRAWS} keys and ${DRAWS} secrets all pass the rule, in their shapes`, () => {
    for (let i = 0; i < DRAWS; i++) {
      const key = generateValue('key');
      const secret = generateValue('secret');
      if (!isHoconSafe(key) || !/^[A-Z0-9]{30}$/.test(key)) throw new Error(`bad key ${key}`);
      if (!isHoconSafe(secret) || !/^[A-Za-z0-9]{64}$/.test(secret)) throw new Error(`bad secret ${secret}`);
    }
  });

  test('values are spread over the whole alphabet (the rule rejects, it does not bias the rest)', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateValue('secret')).join(''));
    expect(seen.size).toBe(62);
    expect(new Set(Object.values(generateCredentials())).size).toBe(Object.keys(generateCredentials()).length);
  });
});

describe('the bootstrap Job', () => {
  test(`${PYTHON_DRAWS} keys and ${PYTHON_DRAWS} secrets all pass the rule, in their shapes, and its rule is the same`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocon-'));
    try {
      const script = path.join(dir, 'bootstrap.py');
      fs.writeFileSync(script, BOOTSTRAP_SCRIPT);
      const draw = String.raw`
import importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("bootstrap", os.environ["SCRIPT_PATH"])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
n = int(os.environ["DRAWS"])
json.dump({"key": [mod.generate("key") for _ in range(n)], "secret": [mod.generate("secret") for _ in range(n)],
           "safe": [mod.hocon_safe(v) for v in json.loads(os.environ["CASES"])]}, sys.stdout)
`;
      const result = spawnSync(PYTHON, ['-c', draw], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SCRIPT_PATH: script, DRAWS: String(PYTHON_DRAWS), CASES: JSON.stringify([...REFUSED, ...ACCEPTED]), PYTHONDONTWRITEBYTECODE: '1' } });
      if (result.status !== 0) throw new Error(result.stderr);
      const values: { key: string[]; secret: string[]; safe: boolean[] } = JSON.parse(result.stdout);
      // The script's own rule decides every case of the rule above as the TypeScript rule does.
      expect(values.safe).toEqual([...REFUSED.map(() => false), ...ACCEPTED.map(() => true)]);
      expect(values.key).toHaveLength(PYTHON_DRAWS);
      const badKeys = values.key.filter((v) => !isHoconSafe(v) || !/^[A-Z0-9]{30}$/.test(v));
      const badSecrets = values.secret.filter((v) => !isHoconSafe(v) || !/^[A-Za-z0-9]{64}$/.test(v));
      expect([badKeys.length, badSecrets.length]).toEqual([0, 0]);
      expect(new Set(values.secret).size).toBe(PYTHON_DRAWS);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
