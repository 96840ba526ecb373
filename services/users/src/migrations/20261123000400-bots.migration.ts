import { Migration } from '@mikro-orm/migrations';

/** Read models of the bot registry: bots (sealed token, API token hash), their flags and settings. */
export class BotsMigration20261123000400 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bots (
        bot_id uuid PRIMARY KEY,
        name text NOT NULL,
        telegram_bot_id bigint NOT NULL UNIQUE,
        owner_telegram_user_id bigint NOT NULL,
        active boolean NOT NULL,
        timezone text NOT NULL,
        token_version integer NOT NULL,
        token_key_id text NOT NULL,
        token_iv text NOT NULL,
        token_ciphertext text NOT NULL,
        token_tag text NOT NULL,
        api_token_id text NOT NULL UNIQUE,
        api_token_hash text NOT NULL,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX bots_active_idx ON bots (active)');
    this.addSql(`
      CREATE TABLE bot_feature_flags (
        bot_id uuid NOT NULL REFERENCES bots (bot_id),
        flag text NOT NULL,
        enabled boolean NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, flag)
      )`);
    this.addSql(`
      CREATE TABLE bot_settings (
        bot_id uuid NOT NULL REFERENCES bots (bot_id),
        key text NOT NULL,
        type text NOT NULL CHECK (type IN ('string', 'int', 'bool', 'json')),
        value_json text NOT NULL,
        description text NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, key)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE bot_settings');
    this.addSql('DROP TABLE bot_feature_flags');
    this.addSql('DROP TABLE bots');
  }
}
