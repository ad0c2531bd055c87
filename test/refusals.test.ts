/**
 * Issue 8, part 2: options that used to be accepted and must be refused at synth time, naming the
 * option path and the allowed values.
 */
import { Chart } from 'cdk8s';
import { ClearmlConfigError, ClearmlServer, ClearmlServerProps } from '../lib';
import { envOf, mainContainer, synthServer, testApp } from './support/synth';

function build(props: ClearmlServerProps): void {
  new ClearmlServer(new Chart(testApp(), 'test'), 'server', props);
}

const refused: Array<[string, ClearmlServerProps, RegExp]> = [
  ['a zero storage size', { mongo: { storage: { size: '0Gi' } } }, /^mongo\.storage\.size: "0Gi" must be greater than zero/],
  ['a negative storage size', { fileserver: { storage: { size: '-5Gi' } } }, /^fileserver\.storage\.size: "-5Gi" must be greater than zero/],
  ['a zero claim size', { defaultStorage: { type: 'claim' }, elasticsearch: { storage: { size: '0' } } }, /^elasticsearch\.storage\.size: "0" must be greater than zero/],
  ['a zero default size', { defaultStorage: { type: 'claim', size: '0Mi' } }, /^defaultStorage\.size: "0Mi" must be greater than zero/],
  ['a zero log size', { serverStorage: { logs: { size: '0' } } }, /^serverStorage\.logs\.size: "0" must be greater than zero/],
  ['vm.max_map_count below Elasticsearch\'s minimum', { hostPreparation: { maxMapCount: 65530 } }, /^hostPreparation\.maxMapCount: 65530 must be an integer from 262144 to 2147483647/],
  ['the default namespace', { namespace: 'default' }, /^namespace: "default" belongs to Kubernetes \("default" and every "kube-\*" namespace are refused\)/],
  ['kube-system', { namespace: 'kube-system' }, /^namespace: "kube-system" belongs to Kubernetes/],
  ['kube-public', { namespace: 'kube-public' }, /^namespace: "kube-public" belongs to Kubernetes/],
  ['kube-node-lease', { namespace: 'kube-node-lease' }, /^namespace: "kube-node-lease" belongs to Kubernetes/],
  ['any kube-* namespace', { namespace: 'kube-clearml' }, /^namespace: "kube-clearml" belongs to Kubernetes/],
  ['a privileged namespace of Kubernetes', { privilegedNamespace: 'kube-system' }, /^privilegedNamespace: "kube-system" belongs to Kubernetes/],
  ['the default privileged namespace', { privilegedNamespace: 'default' }, /^privilegedNamespace: "default" belongs to Kubernetes/],
];

describe('refused options', () => {
  test.each(refused)('%s', (_what, props, message) => {
    expect(() => build(props)).toThrow(ClearmlConfigError);
    expect(() => build(props)).toThrow(message);
  });

  test('the smallest accepted values still synthesize', () => {
    expect(() => build({ hostPreparation: { maxMapCount: 262144 }, mongo: { storage: { size: '1' } } })).not.toThrow();
  });
});

describe('extra environment variables may not override the wiring', () => {
  const wiring: Array<[string, string]> = [
    ['apiserver', 'CLEARML__hosts__mongo__backend__host'],
    ['apiserver', 'clearml__HOSTS__elastic__events__hosts'],
    ['fileserver', 'CLEARML__hosts__api_server'],
    ['apiserver', 'CLEARML__secure__auth__token_secret'],
    ['asyncDelete', 'Clearml__Secure__Credentials__Apiserver__User_Key'],
    ['apiserver', 'TRAINS__hosts__redis__apiserver__host'],
    ['apiserver', 'CLEARML_MONGODB_SERVICE_HOST'],
    ['asyncDelete', 'CLEARML_ELASTIC_SERVICE_PORT'],
    ['fileserver', 'clearml_redis_service_host'],
    ['apiserver', 'CLEARML_MONGODB_SERVICE_CONNECTION_STRING'],
    ['apiserver', 'CLEARML_ELASTIC_SERVICE_PASSWORD'],
    ['apiserver', 'MONGODB_SERVICE_HOST'],
    ['apiserver', 'ELASTIC_SERVICE_SERVICE_HOST'],
    ['fileserver', 'REDIS_SERVICE_PORT'],
    ['fileserver', 'REDIS_SERVICE_PASSWORD'],
    ['apiserver', 'mongodb_service_connection_string'],
    ['webserver', 'CLEARML_APISERVER_SERVICE_PORT_HTTP'],
    ['apiserver', 'CLEARML_CONFIG_DIR'],
  ];
  test.each(wiring)('%s.env.%s', (component, name) => {
    const props = { [component]: { env: { [name]: 'x' } } } as ClearmlServerProps;
    expect(() => build(props)).toThrow(ClearmlConfigError);
    expect(() => build(props)).toThrow(new RegExp(`^${component}\\.env\\.${name}: (overrides ClearML's wiring|is set by the library).*${component}\\.unsafeEnv`));
  });

  test('a name the library sets is refused in any case', () => {
    expect(() => build({ webserver: { env: { nginx_apiserver_address: 'http://x' } } })).toThrow(/^webserver\.env\.nginx_apiserver_address: is set by the library/);
    expect(() => build({ apiserver: { env: { CLEARML__SERVICES__ASYNC_URLS_DELETE__ENABLED: 'false' } } })).toThrow(/^apiserver\.env\.CLEARML__SERVICES__ASYNC_URLS_DELETE__ENABLED: is set by the library/);
  });

  test('other ClearML settings stay allowed', () => {
    const objects = synthServer({ apiserver: { env: { CLEARML__apiserver__auth__default_expiration_sec: '3600', TZ: 'UTC' } } });
    expect(envOf(mainContainer(objects, 'clearml-apiserver'))).toMatchObject({ CLEARML__apiserver__auth__default_expiration_sec: '3600', TZ: 'UTC' });
  });

  test('unsafeEnv is the explicit escape hatch: it replaces the library\'s value in place, or adds the variable', () => {
    const objects = synthServer({ fileserver: { unsafeEnv: { CLEARML__HOSTS__API_SERVER: 'http://api.elsewhere:8008', CLEARML_REDIS_SERVICE_PORT: '6380' } } });
    const container = mainContainer(objects, 'clearml-fileserver');
    const names = container.env.map((e: { name: string }) => e.name);
    expect(envOf(container)).toMatchObject({ CLEARML__HOSTS__API_SERVER: 'http://api.elsewhere:8008', CLEARML_REDIS_SERVICE_PORT: '6380' });
    expect(names.filter((n: string) => n === 'CLEARML__HOSTS__API_SERVER')).toHaveLength(1);
    expect(names.filter((n: string) => n === 'CLEARML_REDIS_SERVICE_PORT')).toHaveLength(1);
  });

  test('unsafeEnv replaces the library\'s variable whatever the case of its name (ClearML reads them case-insensitively)', () => {
    const container = mainContainer(synthServer({ fileserver: { unsafeEnv: { clearml__hosts__api_server: 'http://api.elsewhere:8008' } } }), 'clearml-fileserver');
    const names = container.env.map((e: { name: string }) => e.name.toLowerCase());
    expect(names.filter((n: string) => n === 'clearml__hosts__api_server')).toHaveLength(1);
    expect(envOf(container).CLEARML__HOSTS__API_SERVER).toBe('http://api.elsewhere:8008');
  });

  test('a variable in both env and unsafeEnv is refused', () => {
    expect(() => build({ apiserver: { env: { TZ: 'UTC' }, unsafeEnv: { TZ: 'UTC' } } })).toThrow(/^apiserver\.unsafeEnv\.TZ: is also in apiserver\.env/);
  });
});
