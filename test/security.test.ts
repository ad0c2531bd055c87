import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../lib';
import { BASELINE_CAPABILITIES } from '../lib/core/container';
import { ALL_OPTIONS } from './support/configs';
import { containers, envOf, find, mainContainer, Manifest, synthServer, testApp, workloads } from './support/synth';

/**
 * SHA-256 digests of the publicly known ClearML keys and secrets (the server's built-in secure.conf and
 * the Helm chart's values). Only digests are kept, so the keys themselves never enter this repository.
 */
const PUBLIC_KEY_DIGESTS = new Set([
  '6c511f30e384ffd2e95c74aa0bdef875810bdb6876eba4b4638b9d573fc7cb33', '243dc384849c2f27b1e4edd40a2e5f54e107c0cdd35f75e0189db26cc47a84b6',
  '397d5a1d9bc2b9202cc9c88fe409e9a86e4225e16596e6d8d19bf28d246515c4', '6dc2c90c67ba9de1101f232028b0455c17db5e8d232bc06b634e964a5f86ffbe',
  '5b5bdac1a0d4cf22022368baa10c1bac2818e80074b149cafbba2be8f8b312b9', '8a53dd3175bce420723507551193fa54b3d686596d154e6a4b94cf42304e93cf',
  '89b8b5c204a2c92f9d32dd98e14cd2afafcd6e3592aa67fe934d87aebfdb7c05', '984d287f13525ae89ed2a886fca2580b250bef0a25017f5bdd44ac8bcb7c852b',
  'de7c1fce12119657e43f4b95961403f8a01c117c18f7d7cb662d2969b9bb4e01', '3b4c0319f18c3d5e7f6c9d51b1ce45b88aa9c9dee583c7ae97c0e5109ecede19',
  '6d912cadc4bd2bee7ca85c4a40f221fce2329e198330979594ffb47a31604942', 'a1e4036636b52f2c4b0f7fca7d1af9086efe56dd47dc20ffca867cf3c7378a2f',
  '9f2d9a23e879246b73518ee43ec7fc62ba3d6096e4994cee6c086b91458899e7', '5489ee57a696f1b3f5d885dcd43a431c4fdc9856cf0a1fc28ed4322fbfc3900d',
  'e734a805d77c509f1e3db0e8a0c2d7f87d112d6c9ec505fd2b0a27b29b267e1b', 'be6ae474733128c18bb70dc6ea9f1ebf668e6132afeb0f623bdec3975faa8cef',
  '12a64aebc6b32ca86da4e1d346917f43256340530f49940cf863636bd51f723a', '0c3b1dd110371938f488eb28f8119e640ed48b276d351dce4f86edd3b9e14cdc',
  '98098dd7eb042c94fbd83e1e3979a9cb3aef3e23a0d94679c0ac3118759bebea', 'b6bcb89784ec109857797236fae867027664aa0ae51f5b086ebcfc9409217930',
]);

/** Tokens of the shape of a key or secret (and a little shorter), hashed. */
function publicKeysIn(text: string): string[] {
  const tokens = new Set(text.match(/[A-Za-z0-9_=-]{16,}/g) ?? []);
  return [...tokens].filter((t) => PUBLIC_KEY_DIGESTS.has(createHash('sha256').update(t).digest('hex')));
}

const ROOT = path.join(__dirname, '..');
const CONFIGURATIONS: ClearmlServerProps[] = [{}, ALL_OPTIONS, { agentServices: ALL_OPTIONS.agentServices }, { hostPreparation: { enabled: false }, networkPolicies: { enabled: false } }];

describe('no secret material', () => {
  test('the digest check recognises a public key (so the scans below can fail)', () => {
    const sample = ['GSQWPEKSKNKF', '354LC9V6BHXKTYFD5I'].join('');
    expect(publicKeysIn(`value: ${sample}`)).toEqual([sample]);
  });

  test.each(CONFIGURATIONS.map((c, i) => [i, c]))('configuration %d has no Secret object, no literal secret value and no public key', (_i, props) => {
    const objects = synthServer(props);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const { container } of containers(objects)) {
      for (const e of container.env ?? []) {
        // SHUTDOWN_IF_NO_ACCESS_KEY is the agent's on/off switch, not a key.
        if (/SECRET|_KEY$|PASSWORD|__USERS$/.test(e.name) && e.name !== 'SHUTDOWN_IF_NO_ACCESS_KEY') expect([e.name, e.valueFrom?.secretKeyRef]).toEqual([e.name, expect.anything()]);
      }
    }
    expect(publicKeysIn(JSON.stringify(objects))).toEqual([]);
  });

  test('no tracked file of the repository contains a public key', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
    const found = files.flatMap((f) => publicKeysIn(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((k) => `${f}: ${k.slice(0, 4)}…`));
    expect(found).toEqual([]);
  });
});

/** Pod Security Standards `baseline` (Kubernetes 1.27), for the fields our pods use. */
function baselineViolations(pod: Manifest): string[] {
  const problems: string[] = [];
  const spec = pod.spec.template.spec;
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('host namespaces');
  for (const v of spec.volumes ?? []) if (v.hostPath) problems.push(`hostPath volume ${v.name}`);
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined') problems.push('seccomp Unconfined');
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) problems.push(`${c.name} privileged`);
    for (const cap of sc.capabilities?.add ?? []) if (!(BASELINE_CAPABILITIES as readonly string[]).includes(cap)) problems.push(`${c.name} adds ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${c.name} hostPort`);
    if (sc.seccompProfile?.type === 'Unconfined') problems.push(`${c.name} seccomp Unconfined`);
  }
  return problems;
}

describe('pod security', () => {
  const objects = synthServer(ALL_OPTIONS);

  test('every pod runs with the RuntimeDefault seccomp profile and its own ServiceAccount', () => {
    const accounts = new Set<string>();
    for (const w of workloads(objects)) {
      const spec = w.spec.template.spec;
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(find(objects, 'ServiceAccount', spec.serviceAccountName).automountServiceAccountToken).toBe(false);
      accounts.add(`${w.metadata.namespace}/${spec.serviceAccountName}`);
    }
    expect(accounts.size).toBe(workloads(objects).length);
  });

  test('only the credentials bootstrap Job mounts a ServiceAccount token', () => {
    const mounting = workloads(synthServer()).filter((w) => w.spec.template.spec.automountServiceAccountToken !== false);
    expect(mounting.map((w) => w.metadata.name)).toEqual(['clearml-credentials-bootstrap']);
  });

  test('every container has an explicit security context: no privilege escalation, all capabilities dropped', () => {
    const privileged = new Set(['prepare-host', 'agent-services']);
    for (const { container } of containers(objects)) {
      const sc = container.securityContext;
      if (privileged.has(container.name)) {
        expect(sc.privileged).toBe(true);
        continue;
      }
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.capabilities.drop).toEqual(['ALL']);
    }
  });

  test.each([
    ['webserver', ['NET_BIND_SERVICE', 'SETUID', 'SETGID', 'CHOWN', 'KILL']],
    ['apiserver', ['DAC_OVERRIDE']],
    ['fileserver', ['DAC_OVERRIDE']],
    ['async-delete', ['DAC_OVERRIDE']],
    ['elasticsearch', undefined],
    ['mongo', undefined],
    ['redis', undefined],
  ])('%s adds back only %j', (component, caps) => {
    expect(mainContainer(objects, `ml-${component}`).securityContext.capabilities.add).toEqual(caps);
  });

  test.each([
    ['ml-elasticsearch', 1000, false],
    ['ml-mongo', 999, true],
    ['ml-redis', 999, true],
  ])('%s runs as non-root uid %d (read-only root file system: %s)', (name, uid, readOnly) => {
    const sc = mainContainer(objects, name).securityContext;
    expect(sc).toMatchObject({ runAsNonRoot: true, runAsUser: uid, readOnlyRootFilesystem: readOnly });
  });

  test('the host-preparation init container and agent-services are the only privileged containers, both outside the ClearML namespace', () => {
    const privileged = containers(objects).filter((c) => c.container.securityContext?.privileged);
    expect(privileged.map((c) => `${c.owner.metadata.namespace}/${c.container.name}`).sort()).toEqual(['mlops-host/agent-services', 'mlops-host/prepare-host']);
  });

  test.each(CONFIGURATIONS.map((c, i) => [i, c]))('configuration %d: every pod in the ClearML namespace passes Pod Security baseline, which the namespace enforces', (_i, props) => {
    const objs = synthServer(props);
    const namespace = objs.find((o) => o.kind === 'Namespace' && o.metadata.labels['pod-security.kubernetes.io/enforce'] === 'baseline');
    expect(namespace).toBeDefined();
    for (const w of workloads(objs).filter((o) => o.metadata.namespace === namespace!.metadata.name)) {
      expect([w.metadata.name, baselineViolations(w)]).toEqual([w.metadata.name, []]);
    }
  });

  test('the privileged namespace says so, for workloads that need the host', () => {
    const ns = find(objects, 'Namespace', 'mlops-host');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
    expect(workloads(objects).filter((w) => w.metadata.namespace === 'mlops-host').map((w) => w.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
  });
});

describe('login and cookies', () => {
  test('without fixed users, synth warns that access is unrestricted', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      new ClearmlServer(new Chart(testApp(), 'a'), 'server', {});
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('allows unrestricted access'));
      warn.mockClear();
      new ClearmlServer(new Chart(testApp(), 'b'), 'server', { fixedUsers: { secretName: 'users' } });
      expect(warn).not.toHaveBeenCalledWith(expect.stringContaining('unrestricted'));
    } finally {
      warn.mockRestore();
    }
  });

  test('fixed users come from a Secret, hashed passwords optional; the services agent keeps its own keys', () => {
    const api = envOf(mainContainer(synthServer(ALL_OPTIONS), 'ml-apiserver'));
    expect(api).toMatchObject({
      CLEARML__APISERVER__AUTH__FIXED_USERS__ENABLED: 'true',
      CLEARML__APISERVER__AUTH__FIXED_USERS__PASS_HASHED: 'true',
      CLEARML__APISERVER__AUTH__FIXED_USERS__USERS: 'secret:clearml-users/users.json',
      CLEARML__SECURE__CREDENTIALS__SERVICES_AGENT__USER_KEY: 'secret:my-clearml-credentials/services_agent_key',
    });
    const plain = envOf(mainContainer(synthServer({ fixedUsers: { secretName: 'users' } }), 'clearml-apiserver'));
    expect(plain).toMatchObject({ CLEARML__APISERVER__AUTH__FIXED_USERS__PASS_HASHED: 'false', CLEARML__APISERVER__AUTH__FIXED_USERS__USERS: 'secret:users/users' });
    expect(Object.keys(envOf(mainContainer(synthServer(), 'clearml-apiserver'))).some((k) => k.includes('FIXED_USERS'))).toBe(false);
  });

  test('with HTTPS, cookies are Secure and scoped to the domain, and the fileserver accepts the same cookie name', () => {
    const objects = synthServer(ALL_OPTIONS);
    const api = envOf(mainContainer(objects, 'ml-apiserver'));
    expect(api).toMatchObject({
      CLEARML__APISERVER__AUTH__COOKIES__SECURE: 'true',
      CLEARML__APISERVER__AUTH__COOKIES__DOMAIN: '.clearml.example.com',
      CLEARML__APISERVER__AUTH__SESSION_AUTH_COOKIE_NAME: 'clearml-token-k8s',
    });
    expect(JSON.parse(envOf(mainContainer(objects, 'ml-fileserver')).CLEARML__FILESERVER__AUTH__COOKIE_NAMES)).toEqual(['clearml-token-k8s']);
    const plain = envOf(mainContainer(synthServer(), 'clearml-apiserver'));
    expect(plain.CLEARML__APISERVER__AUTH__COOKIES__SECURE).toBe('false');
    expect(plain.CLEARML__APISERVER__AUTH__COOKIES__DOMAIN).toBeUndefined();
  });

  test('the public URLs follow the scheme', () => {
    const server = new ClearmlServer(new Chart(testApp(), 'c'), 'server', { domain: 'ml.example.org', https: true });
    expect(server.publicUrls).toEqual({ app: 'https://app.ml.example.org', api: 'https://api.ml.example.org', files: 'https://files.ml.example.org' });
  });

  test.each([
    [{ https: true }, /^https: requires domain/],
    [{ fixedUsers: { secretName: 'Bad_Name' } }, /^fixedUsers\.secretName: /],
    [{ fixedUsers: { secretName: 'users', secretKey: 'a b' } }, /^fixedUsers\.secretKey: "a b" must be a Secret key/],
  ] as Array<[ClearmlServerProps, RegExp]>)('bad login options are refused: %j', (props, message) => {
    expect(() => new ClearmlServer(new Chart(testApp(), 'd'), 'server', props)).toThrow(message);
  });
});
