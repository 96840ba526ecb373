import { BotFeatureRouter } from '@botplatform/bot-kit';
import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { __Name__Module } from './__name__.module.js';
import { NotesMigration__timestamp__ } from './migrations/__timestamp__-notes.migration.js';
import { Note } from './note/note.entity.js';
import { notePublicEvents } from './note/note.public-events.js';

/** The __name__ service. Publishes `__name__.*` events (proto/botplatform/__name__/v1). */
export const __name__Service: ServiceDefinition = {
  name: '__name__',
  schema: '__name__',
  migrations: [
    ...eventStoreMigrations,
    // No busMigrations: they hold a consumer's inbox and positions, and this service consumes nothing yet.
    // Add `...busMigrations` (from @botplatform/bus) here, before its own, with its first consumer.
    { name: 'Migration__timestamp___notes', class: NotesMigration__timestamp__ },
  ],
  entities: [Note],
  module: () => ({ module: __Name__Module }),
  toPublic: notePublicEvents,
  // Its bot screens (src/bot/), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
};
