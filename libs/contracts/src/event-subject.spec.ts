import { InvalidEventSubjectError } from './contracts.errors.js';
import { formatEventSubject, parseEventSubject, serviceOfSubject } from './event-subject.js';

describe('event subjects', () => {
  it('parses <service>.<aggregate>.<event>.v<N>', () => {
    expect(parseEventSubject('subscriptions.subscription.payment_failed.v12')).toEqual({
      service: 'subscriptions',
      aggregate: 'subscription',
      event: 'payment_failed',
      type: 'subscriptions.subscription.payment_failed',
      version: 12,
    });
  });

  it.each([
    'users.user.registered',
    'users.registered.v1',
    'users.user.registered.v0',
    'Users.user.registered.v1',
    'users.*.registered.v1',
    'rpc.users.register',
  ])('rejects %s', (subject) => {
    expect(() => serviceOfSubject(subject)).toThrow(InvalidEventSubjectError);
  });

  it('formats a type and version, refusing version 0', () => {
    expect(formatEventSubject('users.user.registered', 1)).toBe('users.user.registered.v1');
    expect(() => formatEventSubject('users.user.registered', 0)).toThrow(InvalidEventSubjectError);
  });
});
