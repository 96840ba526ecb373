import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { SubscriptionsModule } from './subscriptions.module.js';
import { NotesMigration20261130185346 } from './migrations/20261130185346-notes.migration.js';
import { Note } from './note/note.entity.js';
import { notePublicEvents } from './note/note.public-events.js';

/** The subscriptions service. Publishes `subscriptions.*` events (proto/botplatform/subscriptions/v1). */
export const subscriptionsService: ServiceDefinition = {
  name: 'subscriptions',
  schema: 'subscriptions',
  migrations: [
    ...eventStoreMigrations,
    // No busMigrations: they hold a consumer's inbox and positions, and this service consumes nothing yet.
    // Add `...busMigrations` (from @botplatform/bus) here, before its own, with its first consumer.
    { name: 'Migration20261130185346_notes', class: NotesMigration20261130185346 },
  ],
  entities: [Note],
  module: () => ({ module: SubscriptionsModule }),
  toPublic: notePublicEvents,
};
