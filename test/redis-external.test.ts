import { ClearmlServerProps } from '../lib';
import { validateManifests } from '../lib/validate/k8s-validate';
import { find, Manifest, synthServer } from './support/synth';

const MANAGED: ClearmlServerProps = {
  redis: { external: { host: 'redis.example.com', port: 6380, passwordSecret: { name: 'redis-auth' }, tls: true, caSecret: { name: 'redis-ca', key: 'ca.pem' } } },
};
const objects = synthServer(MANAGED);
const main = (name: string) => find(objects, 'Deployment', name).spec.template.spec;
const env = (name: string) => Object.fromEntries(main(name).containers[0].env.map((e: Manifest) => [e.name, e.value ?? e.valueFrom]));

describe('an external managed Redis with a password and TLS', () => {
  test('passes the Kubernetes schema and the API server rules; nothing is deployed for Redis', () => {
    expect(validateManifests(objects, { requireNamespaces: true })).toEqual([]);
    expect(objects.filter((o) => o.metadata.name === 'clearml-redis')).toEqual([]);
  });

  test.each(['clearml-apiserver', 'clearml-async-delete', 'clearml-fileserver'])('%s reads the password from the Secret (never in the output)', (name) => {
    expect(env(name)).toMatchObject({
      CLEARML_REDIS_SERVICE_HOST: 'redis.example.com',
      CLEARML_REDIS_SERVICE_PORT: '6380',
      CLEARML_REDIS_SERVICE_PASSWORD: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
    });
  });

  test('TLS with the CA from the Secret is set on exactly the connections each server opens', () => {
    const tlsKeys = (name: string) => Object.keys(env(name)).filter((k) => k.startsWith('CLEARML__HOSTS__REDIS__')).sort();
    expect(tlsKeys('clearml-apiserver')).toEqual(['CLEARML__HOSTS__REDIS__APISERVER__SSL', 'CLEARML__HOSTS__REDIS__APISERVER__SSL_CA_CERTS', 'CLEARML__HOSTS__REDIS__WORKERS__SSL', 'CLEARML__HOSTS__REDIS__WORKERS__SSL_CA_CERTS']);
    expect(tlsKeys('clearml-async-delete')).toEqual(tlsKeys('clearml-apiserver'));
    expect(tlsKeys('clearml-fileserver')).toEqual(['CLEARML__HOSTS__REDIS__FILESERVER__SSL', 'CLEARML__HOSTS__REDIS__FILESERVER__SSL_CA_CERTS']);
    expect(env('clearml-fileserver').CLEARML__HOSTS__REDIS__FILESERVER__SSL).toBe('true');
    // A HOCON string: quoted, since ClearML parses CLEARML__ values.
    expect(env('clearml-fileserver').CLEARML__HOSTS__REDIS__FILESERVER__SSL_CA_CERTS).toBe('"/etc/clearml/redis-ca/ca.crt"');
  });

  test.each(['clearml-apiserver', 'clearml-async-delete', 'clearml-fileserver'])('%s mounts the CA certificate read-only where the setting points', (name) => {
    const spec = main(name);
    expect(spec.volumes.find((v: Manifest) => v.name === 'redis-ca').secret).toEqual({ secretName: 'redis-ca', items: [{ key: 'ca.pem', path: 'ca.crt' }] });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'redis-ca', mountPath: '/etc/clearml/redis-ca', readOnly: true });
  });

  test('TLS without a CA Secret verifies against the image\'s bundle: no CA setting, no volume', () => {
    const plain = synthServer({ redis: { external: { host: 'redis.example.com', tls: true } } });
    const spec = find(plain, 'Deployment', 'clearml-apiserver').spec.template.spec;
    expect(spec.containers[0].env).toContainEqual({ name: 'CLEARML__HOSTS__REDIS__APISERVER__SSL', value: 'true' });
    expect(JSON.stringify(plain)).not.toContain('SSL_CA_CERTS');
    expect(JSON.stringify(plain)).not.toContain('redis-ca');
  });

  test('the bundled Redis stays as it was: no password, no TLS settings', () => {
    const defaults = JSON.stringify(synthServer());
    expect(defaults).not.toContain('CLEARML_REDIS_SERVICE_PASSWORD');
    expect(defaults).not.toContain('CLEARML__HOSTS__REDIS__');
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a CA without TLS', { host: 'r.example.com', caSecret: { name: 'ca' } }, 'redis.external.caSecret: only applies with redis.external.tls: true'],
    ['a bad Secret name', { host: 'r.example.com', passwordSecret: { name: 'Redis_Auth' } }, 'redis.external.passwordSecret.name: "Redis_Auth" must be a DNS name'],
    ['a bad Secret key', { host: 'r.example.com', passwordSecret: { name: 'auth', key: 'pass word' } }, 'redis.external.passwordSecret.key: "pass word" must be a Secret key'],
    ['tls as a string', { host: 'r.example.com', tls: 'yes' }, 'redis.external.tls: "yes" must be true or false'],
  ])('refuses %s', (_name, external, message) => {
    expect(() => synthServer({ redis: { external: external as never } })).toThrow(message);
  });
});
