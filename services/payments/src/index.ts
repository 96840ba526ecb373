export { paymentsService } from './payments.service.js';
