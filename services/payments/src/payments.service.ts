import { BotFeatureRouter } from '@botplatform/bot-kit';
import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { PaymentsModule } from './payments.module.js';
import { NotesMigration20261130193417 } from './migrations/20261130193417-notes.migration.js';
import { Note } from './note/note.entity.js';
import { notePublicEvents } from './note/note.public-events.js';

/** The payments service. Publishes `payments.*` events (proto/botplatform/payments/v1). */
export const paymentsService: ServiceDefinition = {
  name: 'payments',
  schema: 'payments',
  migrations: [
    ...eventStoreMigrations,
    // No busMigrations: they hold a consumer's inbox and positions, and this service consumes nothing yet.
    // Add `...busMigrations` (from @botplatform/bus) here, before its own, with its first consumer.
    { name: 'Migration20261130193417_notes', class: NotesMigration20261130193417 },
  ],
  entities: [Note],
  module: () => ({ module: PaymentsModule }),
  toPublic: notePublicEvents,
  // Its bot screens (src/bot/), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
};
