import { BotFeatureRouter } from '@botplatform/bot-kit';
import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { GamificationModule } from './gamification.module.js';
import { NotesMigration20261130193410 } from './migrations/20261130193410-notes.migration.js';
import { Note } from './note/note.entity.js';
import { notePublicEvents } from './note/note.public-events.js';

/** The gamification service. Publishes `gamification.*` events (proto/botplatform/gamification/v1). */
export const gamificationService: ServiceDefinition = {
  name: 'gamification',
  schema: 'gamification',
  migrations: [
    ...eventStoreMigrations,
    // No busMigrations: they hold a consumer's inbox and positions, and this service consumes nothing yet.
    // Add `...busMigrations` (from @botplatform/bus) here, before its own, with its first consumer.
    { name: 'Migration20261130193410_notes', class: NotesMigration20261130193410 },
  ],
  entities: [Note],
  module: () => ({ module: GamificationModule }),
  toPublic: notePublicEvents,
  // Its bot screens (src/bot/), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
};
