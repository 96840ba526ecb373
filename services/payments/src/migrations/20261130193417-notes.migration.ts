import { Migration } from '@mikro-orm/migrations';

/** The notes read model (notes.projection.ts). The migrator runs it in the service's own schema. */
export class NotesMigration20261130193417 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notes (
        note_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX notes_bot_idx ON notes (bot_id, created_at)');
  }

  override down(): void {
    this.addSql('DROP TABLE notes');
  }
}
