/**
 * The configuration file of the default app (`clearml.yaml` / $CLEARML_CONFIG): strict loading against
 * the generated schema, the construct's own checks reported with the option's path, the shipped example
 * file, the freshness of the generated files, and the default app with a file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { stringify } from 'yaml';
import { EXAMPLES } from '../examples/apps';
import { ClearmlConfigError, ClearmlServer, ClearmlServerProps } from '../lib';
import { configFileFor, ConfigFileError, formatConfigError, loadConfig, parseConfig, withConfigFile } from '../lib/config/load';
import { ConfigSchema, SchemaType } from '../lib/config/schema';
import { CONFIG_SCHEMA } from '../lib/config/schema.generated';
import { closest, editDistance } from '../lib/config/validate';
import { generateReference, OUTPUTS } from '../scripts/gen-reference';
import { runDefaultApp } from './support/app-run';
import { ALL_OPTIONS } from './support/configs';
import { find, synthServer } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLE = fs.readFileSync(path.join(ROOT, OUTPUTS.example), 'utf8');

/** What the default app does with a file: load it, then build the construct. The error either raises. */
function rejection(text: string): ClearmlConfigError {
  try {
    synthServer(loadConfig(text, 'clearml.yaml'));
  } catch (e) {
    if (e instanceof ClearmlConfigError) return e;
    throw e;
  }
  throw new Error(`accepted:\n${text}`);
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-config-'));
}

describe('loading', () => {
  test('an empty file, a file of comments and a bare ~ are the default deployment', () => {
    expect(loadConfig('', 'f')).toEqual({});
    expect(loadConfig('# nothing set\n\n', 'f')).toEqual({});
    expect(loadConfig('~\n', 'f')).toEqual({});
  });

  test('every option round-trips: the production example and a configuration setting every option of issue 2', () => {
    expect(loadConfig(stringify(EXAMPLES.production), 'f')).toEqual(EXAMPLES.production);
    expect(loadConfig(stringify(ALL_OPTIONS), 'f')).toEqual(ALL_OPTIONS);
  });

  test('~ (or an empty value) means the default, at any depth', () => {
    const props = loadConfig('name: ~\nmongo:\n  storage:\nexposure:\n  type: ~\n', 'f');
    expect(props).toEqual({ mongo: {}, exposure: {} });
    expect(synthServer(props)).toEqual(synthServer());
  });

  test('Kubernetes objects (affinity, tolerations) are checked against the Kubernetes types and reach the pods', () => {
    const props = loadConfig([
      'scheduling:',
      '  tolerations: [{ key: dedicated, operator: Equal, value: ml, effect: NoSchedule }]',
      '  affinity:',
      '    nodeAffinity:',
      '      requiredDuringSchedulingIgnoredDuringExecution:',
      '        nodeSelectorTerms: [{ matchExpressions: [{ key: disk, operator: In, values: [ssd] }] }]',
    ].join('\n'), 'f');
    const pod = find(synthServer(props), 'Deployment', 'clearml-apiserver').spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['ssd']);
  });
});

describe('rejections name the offending key', () => {
  test('an unknown top-level key, with the closest valid key', () => {
    const e = rejection('name: ml\nnamespce: mlops\n');
    expect(e).toBeInstanceOf(ConfigFileError);
    expect(e.option).toBe('namespce');
    expect(e.message).toBe('namespce: unknown option "namespce" (did you mean "namespace"?)');
    expect((e as ConfigFileError).line).toBe(2);
  });

  test('an unknown nested key, with the closest valid key; without a close one, the valid keys', () => {
    expect(rejection('mongo:\n  storage:\n    sise: 10Gi\n').message).toBe('mongo.storage.sise: unknown option "sise" (did you mean "size"?)');
    expect(rejection('exposure:\n  ingress:\n    tls: my-tls\n').message).toBe('exposure.ingress.tls: unknown option "tls" (did you mean "tlsSecretName"?)');
    expect(rejection('mongo:\n  backup: daily\n').message)
      .toBe('mongo.backup: unknown option "backup" (valid options of mongo: storage, replicas, external, resources, scheduling, env, unsafeEnv)');
    // Inside Kubernetes objects too: a misspelt field would otherwise be dropped silently.
    expect(rejection('scheduling:\n  tolerations:\n    - key: a\n      efect: NoSchedule\n').message)
      .toBe('scheduling.tolerations[0].efect: unknown option "efect" (did you mean "effect"?)');
  });

  test('a wrong type, with the type expected and the one found', () => {
    expect(rejection('apiserver:\n  replicas: two\n').message).toBe('apiserver.replicas: expected number, got string "two"');
    expect(rejection('imagePullSecrets: regcred\n').message).toBe('imagePullSecrets: expected list, got string "regcred"');
    expect(rejection('exposure: Ingress\n').message).toBe('exposure: expected mapping, got string "Ingress"');
    expect(rejection('https: yes\n').message).toBe('https: expected boolean, got string "yes" (use true or false)');
    expect(rejection('apiserver:\n  env:\n    DEBUG: 1\n').message).toBe('apiserver.env.DEBUG: expected string, got number 1 (quote it: "1")');
    // YAML reads 7.40 as a number: the hint quotes it as written.
    expect(rejection('versions:\n  redis: 7.40\n').message).toBe('versions.redis: expected string, got number 7.4 (quote it: "7.40")');
  });

  test('a value outside an enumeration, with the allowed values', () => {
    expect(rejection('exposure:\n  type: ingress\n').message)
      .toBe('exposure.type: "ingress" must be one of "NodePort", "Ingress", "LoadBalancer" (did you mean "Ingress"?)');
    expect(rejection('defaultStorage:\n  type: claim\n  accessModes: [ReadWriteOnly]\n').message)
      .toBe('defaultStorage.accessModes[0]: "ReadWriteOnly" must be one of "ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod" (did you mean "ReadWriteOnce"?)');
  });

  test('a missing required key', () => {
    expect(rejection('fixedUsers:\n  passwordsHashed: true\n').message).toBe('fixedUsers.secretName: is required');
    expect(rejection('redis:\n  external:\n    port: 6380\n').message).toBe('redis.external.host: is required');
  });

  test('a bad quantity, with a suggestion (the construct\'s check)', () => {
    const e = rejection('mongo:\n  storage:\n    size: "50GB"\n');
    expect(e.option).toBe('mongo.storage.size');
    expect(e.message).toContain('mongo.storage.size: "50GB" is not a Kubernetes quantity (try "50Gi")');
  });

  test('a bad host name', () => {
    expect(rejection('domain: ClearML.example.com\n').option).toBe('domain');
    const e = rejection('domain: clearml.example.com\nexposure:\n  type: Ingress\n  ingress:\n    hosts: { app: app_1.example.com, api: api.example.com, files: files.example.com }\n');
    expect(e.option).toBe('exposure.ingress.hosts.app');
    expect(e.message).toContain('"app_1.example.com" must be a DNS name');
  });

  test('an impossible combination: an Ingress without host names', () => {
    const e = rejection('exposure:\n  type: Ingress\n');
    expect(e.option).toBe('exposure.ingress.hosts');
    expect(e.message).toContain('an Ingress needs host names');
  });

  test('duplicate keys, with the line', () => {
    const e = rejection('mongo:\n  storage:\n    size: 10Gi\n    size: 20Gi\n') as ConfigFileError;
    expect(e).toBeInstanceOf(ConfigFileError);
    expect(e.option).toBe('mongo.storage.size');
    expect(e.message).toBe('mongo.storage.size: duplicate key (line 4, column 5)');
    expect(e.line).toBe(4);
  });

  test('a file that is not one mapping: a list, a scalar, several documents, broken YAML', () => {
    expect(rejection('- name: ml\n').message).toBe('expected a mapping of options at the top level, got list');
    expect(rejection('clearml\n').message).toBe('expected a mapping of options at the top level, got string "clearml"');
    expect(rejection('name: a\n---\nname: b\n').message).toBe('holds 2 YAML documents; it must hold one mapping of options');
    const broken = rejection('name: ml\nmongo:\n  storage: [10Gi\n');
    expect(broken.message).toMatch(/^mongo\.storage(\[0\])?: invalid YAML \(line \d+, column \d+\): /);
    expect(rejection('name: ml\nnodeLabel:\n\tkey: app\n').message).toMatch(/Tabs are not allowed/);
    expect(rejection('apiserver:\n  ? [a, b]\n  : 1\n').message).toBe('apiserver: keys must be plain strings, not lists or mappings');
    expect(rejection('apiserver: &server\n  env: *server\n').message).toBe('apiserver.env: an alias refers to a mapping or list that contains it');
    // Aliases that multiply the file's size are cut off by the YAML parser.
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(rejection(laughs).message).toBe('invalid YAML: Excessive alias count indicates a resource exhaustion attack');
  });
});

describe('messages', () => {
  test('errors of the construct point at the line that sets the option (or its closest parent)', () => {
    const text = 'name: ml\nmongo:\n  storage:\n    size: 50GB\nexposure:\n  type: Ingress\n';
    const config = parseConfig(text, 'prod.yaml');
    expect(config.lineOf('mongo.storage.size')).toBe(4);
    expect(config.lineOf('exposure.ingress.hosts')).toBe(5);
    expect(config.lineOf('domain')).toBeUndefined();
    let error: ClearmlConfigError | undefined;
    try {
      synthServer(config.props);
    } catch (e) {
      error = e as ClearmlConfigError;
    }
    expect(formatConfigError(error!, config)).toBe('error: prod.yaml: mongo.storage.size: "50GB" is not a Kubernetes quantity (try "50Gi")\n  at prod.yaml:4');
    expect(parseConfig('exposure:\n  serviceAnnotations:\n    example.com/lb.type: nlb\n', 'f').lineOf('exposure.serviceAnnotations.example.com/lb.type')).toBe(3);
    expect(parseConfig('imagePullSecrets:\n  - a\n  - B\n', 'f').lineOf('imagePullSecrets[1]')).toBe(3);
  });

  test('close keys: swaps, case, a missing letter, and a key given in part', () => {
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(closest('NodePort', ['nodePort', 'replicas'])).toBe('nodePort');
    expect(closest('replica', ['nodePort', 'replicas'])).toBe('replicas');
    expect(closest('tls', ['className', 'tlsSecretName', 'hosts'])).toBe('tlsSecretName');
    expect(closest('size', ['type', 'claimName'])).toBeUndefined();
  });
});

describe('the default app', () => {
  test('reads $CLEARML_CONFIG, else clearml.yaml in its working directory when there is one', () => {
    const dir = tempDir();
    try {
      expect(configFileFor({}, dir)).toBeUndefined();
      expect(configFileFor({ CLEARML_CONFIG: 'other.yaml' }, dir)).toBe('other.yaml');
      fs.writeFileSync(path.join(dir, 'clearml.yaml'), 'name: ml\n');
      expect(configFileFor({}, dir)).toBe('clearml.yaml');
      const built = withConfigFile((props) => props, { env: {}, cwd: dir });
      expect(built).toEqual({ name: 'ml' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a named file that does not exist, or a bad option, is reported and exits with code 1 without building', () => {
    const dir = tempDir();
    const run = (env: NodeJS.ProcessEnv) => {
      const errors: string[] = [];
      let built = false;
      const exit = (code: number): never => {
        throw Object.assign(new Error('exit'), { code });
      };
      try {
        withConfigFile(() => {
          built = true;
        }, { env, cwd: dir, writeError: (t) => errors.push(t), exit });
      } catch (e) {
        return { code: (e as { code?: number }).code, errors, built };
      }
      return { code: 0, errors, built };
    };
    try {
      expect(run({ CLEARML_CONFIG: 'missing.yaml' })).toEqual({ code: 1, errors: ['error: missing.yaml: no such file\n'], built: false });
      fs.writeFileSync(path.join(dir, 'bad.yaml'), 'apiserver:\n  replica: 2\n');
      expect(run({ CLEARML_CONFIG: 'bad.yaml' })).toEqual({
        code: 1,
        errors: ['error: bad.yaml: apiserver.replica: unknown option "replica" (did you mean "replicas"?)\n  at bad.yaml:2\n'],
        built: false,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every path of the schema that holds a value: keys of mappings, `[]` for list items; Kubernetes objects and maps are values. */
function leafPaths(schema: ConfigSchema): string[] {
  const out: string[] = [];
  const walk = (t: SchemaType, at: string, seen: ReadonlySet<string>): void => {
    if (t.kind === 'ref') {
      const def = schema.definitions[t.name];
      if (def.kubernetes || seen.has(t.name)) {
        out.push(at);
        return;
      }
      for (const f of def.fields) walk(f.type, at ? `${at}.${f.name}` : f.name, new Set([...seen, t.name]));
    } else if (t.kind === 'object') {
      for (const f of t.fields) walk(f.type, `${at}.${f.name}`, seen);
    } else if (t.kind === 'array' && ((t.items.kind === 'ref' && !schema.definitions[t.items.name].kubernetes) || t.items.kind === 'object')) {
      walk(t.items, `${at}[]`, seen);
    } else {
      out.push(at);
    }
  };
  walk({ kind: 'ref', name: schema.root }, '', new Set());
  return out;
}

/**
 * The key paths of a YAML file whose commented-out lines are read as if uncommented: a line's depth is
 * its indentation with the `# ` markers taken out, which is how the example file comments out options.
 */
function keyPathsOf(text: string): Set<string> {
  const paths = new Set<string>();
  const stack: Array<{ col: number; key: string }> = [];
  for (const raw of text.split('\n')) {
    const m = /^((?: *# )*)( *)(- )?([A-Za-z_][\w]*):(?: |$)/.exec(raw);
    if (!m) continue;
    const col = m[1].replace(/# /g, '').length + m[2].length;
    const push = (c: number, key: string) => {
      while (stack.length && stack[stack.length - 1].col >= c) stack.pop();
      stack.push({ col: c, key });
    };
    if (m[3]) push(col, '[]');
    push(col + (m[3] ? 2 : 0), m[4]);
    paths.add(stack.map((s) => s.key).join('.').replace(/\.\[\]/g, '[]'));
  }
  return paths;
}

describe('clearml.example.yaml', () => {
  test('loads and synthesizes to exactly the default deployment', () => {
    expect(synthServer(loadConfig(EXAMPLE, OUTPUTS.example))).toEqual(synthServer());
  });

  test('names every option of the schema', () => {
    const leaves = leafPaths(CONFIG_SCHEMA);
    expect(leaves.length).toBeGreaterThan(80);
    const present = keyPathsOf(EXAMPLE);
    expect(leaves.filter((p) => !present.has(p))).toEqual([]);
  });

  test('uncommented with production-like values, it loads: HTTPS Ingress, claims, fixed users, an Elasticsearch cluster', () => {
    const lines = EXAMPLE.split('\n');
    const at = (line: string) => {
      const i = lines.indexOf(line);
      if (i < 0) throw new Error(`no line ${JSON.stringify(line)} in the example`);
      return i;
    };
    const set = (line: string, replacement: string) => {
      lines[at(line)] = replacement;
    };
    /** Uncomments a commented-out section: its header and the lines below it that are deeper. */
    const uncommentSection = (header: string) => {
      const i = at(header);
      const pad = /^ */.exec(header)![0];
      lines[i] = header.replace('# ', '');
      for (let j = i + 1; j < lines.length && lines[j].startsWith(`${pad}#   `); j++) lines[j] = pad + lines[j].slice(pad.length + 2);
    };
    set('# domain: clearml.example.com', 'domain: clearml.example.com');
    set('  type: NodePort', '  type: Ingress');
    uncommentSection('  # ingress:');
    set('    # className: ~', '    className: nginx');
    set('    # tlsSecretName: ~', '    tlsSecretName: clearml-example-com-tls');
    // No NodePort line to comment out: they apply only with exposure NodePort, and are commented out already.
    for (const port of ['30008', '30080', '30081']) expect(lines).toContain(`  # nodePort: ${port}`);
    set('  type: node', '  type: claim');
    set('  # storageClassName: ~', '  storageClassName: fast-ssd');
    uncommentSection('# fixedUsers:');
    set('  secretName: ~', '  secretName: clearml-users');
    uncommentSection('# elasticsearch:');
    set('  # replicas: 1', '  replicas: 3');
    const text = lines.join('\n');

    const props = loadConfig(text, 'production.yaml');
    expect(props).toMatchObject({
      domain: 'clearml.example.com',
      exposure: { type: 'Ingress', ingress: { className: 'nginx', tlsSecretName: 'clearml-example-com-tls' } },
      defaultStorage: { type: 'claim', storageClassName: 'fast-ssd' },
      fixedUsers: { secretName: 'clearml-users' },
      elasticsearch: { replicas: 3 },
    });
    const objects = synthServer(props);
    expect(find(objects, 'Ingress', 'clearml-ingress').spec.rules.map((r: { host: string }) => r.host))
      .toEqual(['app.clearml.example.com', 'api.clearml.example.com', 'files.clearml.example.com']);
    expect(find(objects, 'StatefulSet', 'clearml-elasticsearch').spec.replicas).toBe(3);
  });
});

describe('generated files', () => {
  test('the schema, the example file and API.md are what `npm run gen` writes (CI: `npm run gen -- --check`)', () => {
    const outputs = generateReference(ROOT);
    expect(Object.keys(outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
    for (const [file, content] of Object.entries(outputs)) {
      const committed = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect([file, committed === content]).toEqual([file, true]);
    }
  }, 60_000);
});

// The default app with a file, in this process; the commands themselves run in the config-errors and
// workflow specs (`main.ts`, `npm run synth`, `cdk8s synth`).
describe('the default app with a file', () => {
  const yamlFiles = (written: string[]) => written.filter((f) => /\.ya?ml$/.test(f));

  test('a bad file: exit code 1, the error on stderr, nothing written', () => {
    const dir = tempDir();
    try {
      const bad = path.join(dir, 'bad.yaml');
      fs.writeFileSync(bad, 'name: ml\nmongo:\n  storage:\n    size: "50GB"\n');
      const r = runDefaultApp(bad, path.join(dir, 'out'));
      expect(r.stderr).toBe(`error: ${bad}: mongo.storage.size: "50GB" is not a Kubernetes quantity (try "50Gi")\n  at ${bad}:4\n`);
      expect(r.status).toBe(1);
      expect(yamlFiles(r.written)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the example file: exit code 0 and the same manifests as the app without a file', () => {
    const dir = tempDir();
    try {
      const r = runDefaultApp(path.join(ROOT, OUTPUTS.example), path.join(dir, 'out'));
      expect(r.status).toBe(0);
      expect(yamlFiles(r.written)).toEqual(['clearml.yaml']);
      const app = new App({ outdir: path.join(dir, 'expected'), outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
      new ClearmlServer(new Chart(app, 'clearml', { disableResourceNameHashes: true }), 'server', {} as ClearmlServerProps);
      app.synth();
      expect(fs.readFileSync(path.join(dir, 'out', 'clearml.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'expected', 'clearml.yaml'), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
