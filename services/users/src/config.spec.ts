import { InvalidConfigError, loadConfig } from '@botplatform/service-kit';
import { UsersConfig, usersRuntimeOptions } from './config.js';

describe('UsersConfig', () => {
  it('checks bot tokens against Telegram unless TELEGRAM_API_ROOT names another Bot API', () => {
    expect(usersRuntimeOptions(loadConfig(UsersConfig, {}))).toEqual({ telegramApiRoot: 'https://api.telegram.org' });
    expect(usersRuntimeOptions(loadConfig(UsersConfig, { TELEGRAM_API_ROOT: 'http://sandbox:8081' }))).toEqual({ telegramApiRoot: 'http://sandbox:8081' });
  });

  it('names TELEGRAM_API_ROOT when it is not an http(s) URL', () => {
    for (const value of ['api.telegram.org', 'ftp://api.telegram.org']) {
      const error = (() => {
        try {
          loadConfig(UsersConfig, { TELEGRAM_API_ROOT: value });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect(Object.keys((error as InvalidConfigError).variables)).toEqual(['TELEGRAM_API_ROOT']);
    }
  });
});
