import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** A configuration value is missing or wrong; the message names every offending variable. */
export class InvalidConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  constructor(readonly variables: Readonly<Record<string, readonly string[]>>) {
    super(
      `invalid configuration: ${Object.entries(variables)
        .map(([name, problems]) => `${name} (${problems.join('; ')})`)
        .join(', ')}`,
    );
    this.name = 'InvalidConfigError';
  }
}

/**
 * Reads a service's environment into a class whose properties are the variable names, decorated with
 * class-validator rules and defaults. Give each property an explicit type (`HTTP_PORT: number = 3000`):
 * decorator metadata records an inferred type as `Object`, and the value would stay a string. Called at start, so a bad value stops the process with its name
 * instead of failing later in a request.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new schema();
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) if (env[key] !== undefined && env[key] !== '') values[key] = env[key];
  const config = plainToInstance(schema, { ...defaults, ...values }, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: true });
  if (errors.length) {
    throw new InvalidConfigError(Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})])));
  }
  return config;
}
