export { subscriptionsService } from './subscriptions.service.js';
export { Clock, SystemClock } from './shared/clock.js';
