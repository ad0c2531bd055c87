import * as k8s from '../../imports/k8s';
import { envVars, secretEnv } from '../core/container';

/** Web login with fixed users. */
export interface FixedUsersOptions {
  /**
   * Secret in the ClearML namespace whose key holds the users, as a JSON list:
   * `[{"username": "jane", "password": "...", "name": "Jane Doe"}]`.
   */
  readonly secretName: string;
  /** Key in that Secret. @default 'users' */
  readonly secretKey?: string;
  /** Passwords are base64 bcrypt hashes, as printed by `npm run hash-password`. @default false */
  readonly passwordsHashed?: boolean;
}

/** How the apiserver authenticates browsers. */
export interface AuthSettings {
  /** Auth cookie name (the fileserver accepts the same name). */
  readonly cookieName: string;
  /** Cookie domain, e.g. `.clearml.example.com`, so `app.`, `api.` and `files.` share the login. @default - host-only cookies */
  readonly cookieDomain?: string;
  /** Send the cookie over HTTPS only. */
  readonly secureCookies: boolean;
  /** Fixed users; without them anyone who reaches the server can use it. @default - none */
  readonly fixedUsers?: FixedUsersOptions;
}

/** The apiserver settings that implement `AuthSettings` (keys of `apiserver.conf`, section `auth`). */
export function apiserverAuthEnv(auth: AuthSettings): k8s.EnvVar[] {
  const prefix = 'CLEARML__APISERVER__AUTH';
  return [
    ...envVars({
      [`${prefix}__SESSION_AUTH_COOKIE_NAME`]: auth.cookieName,
      [`${prefix}__COOKIES__SECURE`]: String(auth.secureCookies),
      ...(auth.cookieDomain ? { [`${prefix}__COOKIES__DOMAIN`]: auth.cookieDomain } : {}),
    }),
    ...(auth.fixedUsers ? [
      ...envVars({
        [`${prefix}__FIXED_USERS__ENABLED`]: 'true',
        [`${prefix}__FIXED_USERS__PASS_HASHED`]: String(auth.fixedUsers.passwordsHashed ?? false),
      }),
      secretEnv(`${prefix}__FIXED_USERS__USERS`, auth.fixedUsers.secretName, auth.fixedUsers.secretKey ?? 'users'),
    ] : []),
  ];
}
