export { subscriptionsService } from './subscriptions.service.js';
