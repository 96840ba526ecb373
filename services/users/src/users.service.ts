import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { usersPublicEvents } from './user/user.public-events.js';
import { UsersModule } from './users.module.js';

/** The users service: bots' members and their identities. Publishes `users.*` events. */
export const usersService: ServiceDefinition = {
  name: 'users',
  schema: 'users',
  migrations: [...eventStoreMigrations],
  module: () => ({ module: UsersModule }),
  toPublic: usersPublicEvents,
};
