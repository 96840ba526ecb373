export { usersService } from './users.service.js';
export { REGISTER_USER } from './user/register-user.handler.js';
