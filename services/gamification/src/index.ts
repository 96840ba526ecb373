export { gamificationService } from './gamification.service.js';
