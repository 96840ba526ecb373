import { describe, expect, it } from '@jest/globals';
import { AuthenticationUnavailableError, ForbiddenTenantError, UnauthenticatedError } from './admin-api.errors.js';
import { httpStatusOf } from './admin-http-error.filter.js';

describe('The admin API kit', () => {
  it("gives each service's own refusals its area: SUBSCRIPTIONS.UNAUTHENTICATED, NOTIFICATIONS.FORBIDDEN_TENANT…", () => {
    expect(new UnauthenticatedError('SUBSCRIPTIONS').code).toBe('SUBSCRIPTIONS.UNAUTHENTICATED');
    expect(new ForbiddenTenantError('NOTIFICATIONS').code).toBe('NOTIFICATIONS.FORBIDDEN_TENANT');
    expect(new AuthenticationUnavailableError('SUBSCRIPTIONS', 'timeout')).toMatchObject({
      code: 'SUBSCRIPTIONS.AUTHENTICATION_UNAVAILABLE',
      message: 'the users service could not check the token: timeout',
      name: 'AuthenticationUnavailableError',
    });
  });

  it('derives the HTTP status from the reason after the area, whichever service answers', () => {
    const statuses = Object.fromEntries(
      [
        'SUBSCRIPTIONS.UNAUTHENTICATED',
        'NOTIFICATIONS.UNAUTHENTICATED',
        'SUBSCRIPTIONS.FORBIDDEN_TENANT',
        'NOTIFICATIONS.AUTHENTICATION_UNAVAILABLE',
        'SUBSCRIPTIONS.PLAN_NOT_FOUND',
        'NOTIFICATIONS.SCHEDULED_MESSAGE_NOT_FOUND',
        'SUBSCRIPTIONS.PLAN_ALREADY_EXISTS',
        'SUBSCRIPTIONS.PLAN_ARCHIVED',
        'SUBSCRIPTIONS.PLAN_KIND_CHANGE',
        'NOTIFICATIONS.SCHEDULED_MESSAGE_SENT',
        'NOTIFICATIONS.SCHEDULED_MESSAGE_CANCELLED',
        'EVENT_STORE.WRONG_EXPECTED_VERSION',
        'NOTIFICATIONS.INVALID_TEMPLATE',
        'SUBSCRIPTIONS.INVALID_AMOUNT',
        // A reason that only contains a keyword elsewhere is not mistaken for it.
        'NOTIFICATIONS.UNAUTHENTICATED_SOMEHOW',
      ].map((code) => [code, httpStatusOf(code)]),
    );
    expect(statuses).toEqual({
      'SUBSCRIPTIONS.UNAUTHENTICATED': 401,
      'NOTIFICATIONS.UNAUTHENTICATED': 401,
      'SUBSCRIPTIONS.FORBIDDEN_TENANT': 403,
      'NOTIFICATIONS.AUTHENTICATION_UNAVAILABLE': 503,
      'SUBSCRIPTIONS.PLAN_NOT_FOUND': 404,
      'NOTIFICATIONS.SCHEDULED_MESSAGE_NOT_FOUND': 404,
      'SUBSCRIPTIONS.PLAN_ALREADY_EXISTS': 409,
      'SUBSCRIPTIONS.PLAN_ARCHIVED': 409,
      'SUBSCRIPTIONS.PLAN_KIND_CHANGE': 409,
      'NOTIFICATIONS.SCHEDULED_MESSAGE_SENT': 409,
      'NOTIFICATIONS.SCHEDULED_MESSAGE_CANCELLED': 409,
      'EVENT_STORE.WRONG_EXPECTED_VERSION': 409,
      'NOTIFICATIONS.INVALID_TEMPLATE': 400,
      'SUBSCRIPTIONS.INVALID_AMOUNT': 400,
      'NOTIFICATIONS.UNAUTHENTICATED_SOMEHOW': 400,
    });
  });
});
