import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One note, projected from its `note-<id>` stream by notes.projection.ts. */
@Entity({ tableName: 'notes' })
export class Note {
  @PrimaryKey({ type: 'uuid' })
  noteId: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'text' })
  text: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;
}
