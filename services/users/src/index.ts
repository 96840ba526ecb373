export { usersService } from './users.service.js';
export { REGISTER_USER } from './user/register-user.handler.js';
export { createUsersService, type UsersServiceOptions } from './users.service.js';
export { BotDirectory, type BotProfile } from './bot/bot-directory.js';
export { BotTokenCipher, BotTokenCipherError, INSECURE_DEVELOPMENT_TOKEN_KEYS } from './bot/bot-token-cipher.js';
export { registerTestBot, randomTestBotToken, type TestBotOptions } from './bot/testing/register-test-bot.js';
export * from './bot/bot.errors.js';
