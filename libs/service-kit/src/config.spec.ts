import { ServiceProcessConfig } from './run-service-process.js';
import { InvalidConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('reads environment strings as the typed values the config declares', () => {
    const config = loadConfig(ServiceProcessConfig, { HTTP_PORT: '3101', NATS_URL: 'nats://nats:4222' });
    expect(config.HTTP_PORT).toBe(3101);
    expect(config.NATS_URL).toBe('nats://nats:4222');
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/postgres');
  });

  it('refuses bad values with an error naming each variable', () => {
    let error: unknown;
    try {
      loadConfig(ServiceProcessConfig, { HTTP_PORT: 'abc', DATABASE_URL: 'mysql://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(Object.keys((error as InvalidConfigError).variables).sort()).toEqual(['DATABASE_URL', 'HTTP_PORT']);
    expect((error as Error).message).toContain('DATABASE_URL must be a postgresql:// URL');
  });
});

describe('ServiceProcessConfig', () => {
  const variablesRefused = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(ServiceProcessConfig, env);
      return [];
    } catch (error) {
      return Object.keys((error as InvalidConfigError).variables);
    }
  };

  it('takes the broker user and its password together, or neither', () => {
    const password = 'p0123456789abcdef-_';
    expect(loadConfig(ServiceProcessConfig, { NATS_USER: 'users', NATS_PASSWORD: password })).toMatchObject({ NATS_USER: 'users', NATS_PASSWORD: password });
    expect(loadConfig(ServiceProcessConfig, {})).toMatchObject({ NATS_USER: '', NATS_PASSWORD: '' });
    expect(variablesRefused({ NATS_USER: 'users' })).toEqual(['NATS_PASSWORD']);
    expect(variablesRefused({ NATS_PASSWORD: password })).toEqual(['NATS_USER']);
  });

  it('refuses a broker password nats-server would not read back as written', () => {
    // The broker parses its environment variables as configuration values: digits first make a number.
    expect(variablesRefused({ NATS_USER: 'users', NATS_PASSWORD: '0123456789abcdef01' })).toEqual(['NATS_PASSWORD']);
    expect(variablesRefused({ NATS_USER: 'users', NATS_PASSWORD: 'p0123456789 abcdef' })).toEqual(['NATS_PASSWORD']);
    expect(variablesRefused({ NATS_USER: 'users', NATS_PASSWORD: 'short' })).toEqual(['NATS_PASSWORD']);
  });
});
