import * as k8s from '../../imports/k8s';
import { secretEnv } from '../core/container';

/** What a generated value looks like: ClearML uses 30-character keys and 50-60 character secrets. */
export type CredentialKind = 'key' | 'secret';

/** One `secure.*` setting of ClearML Server, stored under one key of the credentials Secret. */
export interface CredentialKey {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** The server setting it fills, as a `CLEARML__...` environment variable. */
  readonly env: string;
  /** Shape of a generated value. */
  readonly kind: CredentialKind;
}

function pair(user: string): CredentialKey[] {
  const env = `CLEARML__SECURE__CREDENTIALS__${user.toUpperCase()}`;
  return [
    { secretKey: `${user}_key`, env: `${env}__USER_KEY`, kind: 'key' },
    { secretKey: `${user}_secret`, env: `${env}__USER_SECRET`, kind: 'secret' },
  ];
}

/** Every `secure.*` setting the docs say to change, by user. */
export const CREDENTIALS = {
  sessionSecret: { secretKey: 'http_session_secret', env: 'CLEARML__SECURE__HTTP__SESSION_SECRET__APISERVER', kind: 'secret' } as CredentialKey,
  tokenSecret: { secretKey: 'auth_token_secret', env: 'CLEARML__SECURE__AUTH__TOKEN_SECRET', kind: 'secret' } as CredentialKey,
  apiserver: pair('apiserver'),
  fileserver: pair('fileserver'),
  webserver: pair('webserver'),
  tests: pair('tests'),
  servicesAgent: pair('services_agent'),
} as const;

/** All keys of the credentials Secret, in a stable order. */
export const ALL_CREDENTIAL_KEYS: readonly CredentialKey[] = [
  CREDENTIALS.sessionSecret,
  CREDENTIALS.tokenSecret,
  ...CREDENTIALS.apiserver,
  ...CREDENTIALS.fileserver,
  ...CREDENTIALS.webserver,
  ...CREDENTIALS.tests,
  ...CREDENTIALS.servicesAgent,
];

/** Environment variables that read the given settings from the Secret. */
export function credentialEnv(secretName: string, keys: readonly CredentialKey[]): k8s.EnvVar[] {
  return keys.map((k) => secretEnv(k.env, secretName, k.secretKey));
}

/** The API key pair an agent or a task authenticates with (`CLEARML_API_ACCESS_KEY`/`_SECRET_KEY`), from a Secret. */
export function apiKeyEnv(secretName: string, accessKey: string, secretKey: string): k8s.EnvVar[] {
  return [secretEnv('CLEARML_API_ACCESS_KEY', secretName, accessKey), secretEnv('CLEARML_API_SECRET_KEY', secretName, secretKey)];
}
