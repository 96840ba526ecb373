import { describe, expect, it } from '@jest/globals';
import { CliOptionsError, parseCliOptions } from './cli-options.parser.js';

describe('parseCliOptions', () => {
  it('starts a demo bot and two users on port 8081 when nothing is given', () => {
    expect(parseCliOptions([], {})).toMatchObject({
      port: 8081,
      bots: [{ username: 'sandbox_demo_bot', token: '1000001:sandbox-demo-token' }],
      users: [{ firstName: 'Alice', username: 'alice' }, { firstName: 'Bob' }],
      rateLimits: true,
    });
  });

  it('reads bots, users and switches from flags before the environment', () => {
    const options = parseCliOptions(['--port=9000', '--bot', 'shop_bot=123456:abc-DEF', '--bot', 'support_bot', '--user', 'Ann@ann', '--no-rate-limits'], {
      TELEGRAM_SANDBOX_PORT: '7000',
      TELEGRAM_SANDBOX_BOTS: 'ignored_bot',
    });
    expect(options).toMatchObject({
      port: 9000,
      bots: [{ username: 'shop_bot', token: '123456:abc-DEF' }, { username: 'support_bot' }],
      users: [{ firstName: 'Ann', username: 'ann' }],
      rateLimits: false,
    });
  });

  it('reads the environment when no flags are given', () => {
    expect(parseCliOptions([], { TELEGRAM_SANDBOX_PORT: '0', TELEGRAM_SANDBOX_BOTS: 'a_bot=1:x, b_bot', TELEGRAM_SANDBOX_RATE_LIMITS: 'off' })).toMatchObject({
      port: 0,
      bots: [{ username: 'a_bot', token: '1:x' }, { username: 'b_bot' }],
      users: [],
      rateLimits: false,
    });
  });

  it('names the flag or variable that carries a bad value', () => {
    expect(() => parseCliOptions(['--port', 'eighty'], {})).toThrow(new CliOptionsError('--port must be an integer between 0 and 65535, got "eighty"'));
    expect(() => parseCliOptions([], { TELEGRAM_SANDBOX_PORT: '70000' })).toThrow(/TELEGRAM_SANDBOX_PORT/);
    expect(() => parseCliOptions(['--bot', 'x=bad'], {})).toThrow(CliOptionsError);
    expect(() => parseCliOptions(['--colour'], {})).toThrow('Unknown option --colour (see --help)');
  });
});
