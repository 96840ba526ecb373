import { Migration } from '@mikro-orm/migrations';

/** Read models of identities, memberships and the admin audit log. */
export class MembersMigration20261123000500 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE identities (
        user_id uuid PRIMARY KEY,
        telegram_user_id bigint NOT NULL UNIQUE,
        username text,
        first_name text NOT NULL,
        last_name text,
        language_code text,
        is_premium boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // "@ann" in the admin menu: a prefix search on the lower-cased username.
    this.addSql('CREATE INDEX identities_username_idx ON identities (lower(username) text_pattern_ops) WHERE username IS NOT NULL');

    this.addSql(`
      CREATE TABLE memberships (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('user', 'admin', 'owner')),
        admin_pending boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('active', 'blocked_by_admin', 'bot_blocked_by_user')),
        blocked_by_admin boolean NOT NULL DEFAULT false,
        block_reason text,
        blocked_by text,
        bot_blocked_by_user boolean NOT NULL DEFAULT false,
        language_override text,
        start_payload text,
        joined_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
    // The admin menu's figures come from one pass over a bot's rows; "active today" is a range of this index.
    this.addSql('CREATE INDEX memberships_last_seen_idx ON memberships (bot_id, last_seen_at)');
    // Members who joined before this read model existed: UserRegistered was the only membership event then.
    this.addSql(`
      INSERT INTO memberships (bot_id, telegram_user_id, user_id, role, status, start_payload, joined_at, last_seen_at)
      SELECT (data->>'botId')::uuid, (data->>'telegramUserId')::bigint, (data->>'userId')::uuid, 'user', 'active',
             data->>'startPayload', (data->>'registeredAt')::timestamptz, (data->>'registeredAt')::timestamptz
      FROM event_store_events WHERE type = 'UserRegistered'
      ON CONFLICT DO NOTHING`);
    this.addSql(`
      INSERT INTO identities (user_id, telegram_user_id, username, first_name, last_name, language_code, is_premium, created_at, updated_at)
      SELECT DISTINCT ON ((data->>'telegramUserId')::bigint)
             (data->>'userId')::uuid, (data->>'telegramUserId')::bigint, data->'profile'->>'username', data->'profile'->>'firstName',
             data->'profile'->>'lastName', data->'profile'->>'languageCode', coalesce((data->'profile'->>'isPremium')::boolean, false),
             (data->>'registeredAt')::timestamptz, (data->>'registeredAt')::timestamptz
      FROM event_store_events WHERE type = 'UserRegistered'
      ORDER BY (data->>'telegramUserId')::bigint, global_position DESC
      ON CONFLICT DO NOTHING`);

    this.addSql(`
      CREATE TABLE audit_entries (
        event_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        admin text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        details jsonb NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    // Newest first per bot, optionally narrowed by one filter; the event id breaks ties for the cursor.
    this.addSql('CREATE INDEX audit_entries_bot_idx ON audit_entries (bot_id, occurred_at DESC, event_id DESC)');
    this.addSql('CREATE INDEX audit_entries_admin_idx ON audit_entries (bot_id, admin, occurred_at DESC, event_id DESC)');
    this.addSql('CREATE INDEX audit_entries_target_idx ON audit_entries (bot_id, target, occurred_at DESC, event_id DESC)');
    this.addSql('CREATE INDEX audit_entries_action_idx ON audit_entries (bot_id, action, occurred_at DESC, event_id DESC)');
  }

  override down(): void {
    this.addSql('DROP TABLE audit_entries');
    this.addSql('DROP TABLE memberships');
    this.addSql('DROP TABLE identities');
  }
}
