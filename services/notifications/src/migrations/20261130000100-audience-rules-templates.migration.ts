import { Migration } from '@mikro-orm/migrations';

/**
 * The service's own view of members (audience), the per-bot rule switches and templates, the
 * members' muted categories, and one row per message a rule sent (the dedupe of rule × source event).
 */
export class AudienceRulesTemplatesMigration20261130000100 extends Migration {
  override up(): void {
    this.addSql(`
      ALTER TABLE notification_recipients
        ADD COLUMN language_override text,
        ADD COLUMN status text NOT NULL DEFAULT 'active',
        ADD COLUMN blocked_bot boolean NOT NULL DEFAULT false,
        ADD COLUMN role text NOT NULL DEFAULT 'user',
        ADD COLUMN plan_id text,
        ADD COLUMN plan_trial boolean,
        ADD COLUMN plan_ends_at timestamptz,
        ADD COLUMN last_seen_at timestamptz`);
    this.addSql(`
      CREATE TABLE notification_bots (
        bot_id uuid PRIMARY KEY,
        default_language text
      )`);
    this.addSql(`
      CREATE TABLE notification_rule_switches (
        bot_id uuid NOT NULL,
        rule text NOT NULL,
        enabled boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, rule)
      )`);
    this.addSql(`
      CREATE TABLE notification_templates (
        bot_id uuid NOT NULL,
        rule text NOT NULL,
        language text NOT NULL,
        source text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, rule, language)
      )`);
    this.addSql(`
      CREATE TABLE notification_mutes (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        category text NOT NULL,
        muted_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id, category)
      )`);
    this.addSql(`
      CREATE TABLE notification_rule_sends (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        rule text NOT NULL,
        source_event_id uuid NOT NULL,
        request_id uuid NOT NULL UNIQUE,
        outcome text NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id, rule, source_event_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE notification_rule_sends');
    this.addSql('DROP TABLE notification_mutes');
    this.addSql('DROP TABLE notification_templates');
    this.addSql('DROP TABLE notification_rule_switches');
    this.addSql('DROP TABLE notification_bots');
    this.addSql(`
      ALTER TABLE notification_recipients
        DROP COLUMN language_override, DROP COLUMN status, DROP COLUMN blocked_bot, DROP COLUMN role,
        DROP COLUMN plan_id, DROP COLUMN plan_trial, DROP COLUMN plan_ends_at, DROP COLUMN last_seen_at`);
  }
}
