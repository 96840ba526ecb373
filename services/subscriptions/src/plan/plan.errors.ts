import { SubscriptionsError } from '../subscriptions.errors.js';

/** A plan with this id was created already: plan ids are chosen by the caller and used once. */
export class PlanAlreadyExistsError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.PLAN_ALREADY_EXISTS';
  constructor(readonly planId: string) {
    super(`plan ${planId} exists already`);
  }
}

/** No such plan in this bot (another bot's plan is not found either: tenants never see each other). */
export class PlanNotFoundError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.PLAN_NOT_FOUND';
  constructor(
    readonly botId: string,
    readonly planId: string,
  ) {
    super(`bot ${botId} has no plan ${planId}`);
  }
}

/** An archived plan is kept for its subscribers only: it is not changed, sold or granted any more. */
export class PlanArchivedError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.PLAN_ARCHIVED';
  constructor(readonly planId: string) {
    super(`plan ${planId} is archived`);
  }
}

/**
 * A plan's kind (a period or a credit pack) is fixed at creation: what its subscribers were granted
 * would otherwise change meaning.
 */
export class PlanKindChangeError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.PLAN_KIND_CHANGE';
  constructor(readonly planId: string) {
    super(`plan ${planId} cannot change between a period and a credit pack`);
  }
}
