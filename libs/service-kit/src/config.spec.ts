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
