export { __name__Service } from './__name__.service.js';
