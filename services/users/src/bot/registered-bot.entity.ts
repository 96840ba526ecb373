import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One tenant bot, projected from its `bot-<id>` stream. It keeps the Telegram token only sealed
 * (AES-256-GCM, see BotTokenCipher) and the API token only as the hash of its secret.
 */
@Entity({ tableName: 'bots' })
export class RegisteredBot {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @Property({ type: 'text' })
  name: string;

  /** The token's public numeric prefix; unique, so one Telegram bot is one tenant. */
  @Property({ type: 'bigint', unique: true })
  telegramBotId: string;

  @Property({ type: 'bigint' })
  ownerTelegramUserId: string;

  @Property({ type: 'boolean' })
  active: boolean;

  /** IANA zone of the bot's day; the `timezone` setting. */
  @Property({ type: 'text' })
  timezone: string;

  @Property({ type: 'integer' })
  tokenVersion: number;

  @Property({ type: 'text' })
  tokenKeyId: string;

  @Property({ type: 'text' })
  tokenIv: string;

  @Property({ type: 'text' })
  tokenCiphertext: string;

  @Property({ type: 'text' })
  tokenTag: string;

  @Property({ type: 'text', unique: true })
  apiTokenId: string;

  /** SHA-256 (hex) of the API token's secret. */
  @Property({ type: 'text' })
  apiTokenHash: string;

  @Property({ type: 'timestamptz' })
  registeredAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
