import { readFile } from 'node:fs/promises';

/** Who logs in to the private broker: each service, and the harness itself (its outbound requests). */
export type NatsPrincipal = 'users' | 'notifications' | 'gateway' | 'chaos';

export interface NatsCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * How the suite's broker is secured: the nats-server config file it is started with (accounts,
 * permissions) and the credentials each principal logs in with. Both absent today: the broker runs
 * without auth. This is the one place that changes when the services get NATS credentials.
 */
export interface NatsAccess {
  readonly configFile?: string;
  readonly credentials: Partial<Record<NatsPrincipal, NatsCredentials>>;
}

/** The variables a service reads its broker credentials from. */
export const NATS_CREDENTIAL_ENV = { user: 'NATS_USER', password: 'NATS_PASSWORD' } as const;

/**
 * `--nats-config <file>` is handed to nats-server as is; `--nats-credentials <file>` is JSON
 * `{"users": {"user": "…", "password": "…"}, "gateway": {…}, …}` with the logins that config defines.
 */
export async function loadNatsAccess(options: { configFile?: string; credentialsFile?: string }): Promise<NatsAccess> {
  const credentials = options.credentialsFile
    ? (JSON.parse(await readFile(options.credentialsFile, 'utf8')) as NatsAccess['credentials'])
    : {};
  return { ...(options.configFile ? { configFile: options.configFile } : {}), credentials };
}

/** The environment a service process gets for its broker login (empty without auth). */
export function natsEnvFor(access: NatsAccess, principal: NatsPrincipal): Record<string, string> {
  const login = access.credentials[principal];
  return login ? { [NATS_CREDENTIAL_ENV.user]: login.user, [NATS_CREDENTIAL_ENV.password]: login.password } : {};
}

/** Connection options of the harness's own NATS clients (`user`/`pass` as nats.js and Nest name them). */
export function natsLoginFor(access: NatsAccess, principal: NatsPrincipal): { user?: string; pass?: string } {
  const login = access.credentials[principal];
  return login ? { user: login.user, pass: login.password } : {};
}
