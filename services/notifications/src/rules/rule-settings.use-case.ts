import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { compileTemplate } from '../templates/notification-template.js';
import { RULE_DEFINITIONS, type RuleName } from './rule-catalogue.js';
import { InvalidTemplateError } from './rules.errors.js';

/**
 * A bot's rule switches and templates: what the rules read when an event comes. Both are settings kept
 * as rows (the last write wins), not event streams: nothing else reacts to them yet.
 */
@Injectable()
export class RuleSettingsUseCase {
  constructor(private readonly orm: MikroORM) {}

  async setEnabled(botId: string, rule: RuleName, enabled: boolean, now = new Date()): Promise<void> {
    await runSql(
      this.orm.em.fork(),
      `INSERT INTO notifications.notification_rule_switches (bot_id, rule, enabled, changed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (bot_id, rule) DO UPDATE SET enabled = $3, changed_at = $4`,
      [botId, rule, enabled, now],
    );
  }

  /** Stores the template once it compiles for its language with only its rule's variables; refuses it otherwise, writing nothing. */
  async setTemplate(botId: string, rule: RuleName, language: string, source: string, now = new Date()): Promise<{ replaced: boolean }> {
    const check = compileTemplate(rule, language, source);
    if (!check.ok) throw new InvalidTemplateError(check.problems, Object.keys(RULE_DEFINITIONS[rule].variables));
    const [row] = await runSql<{ inserted: boolean }>(
      this.orm.em.fork(),
      `INSERT INTO notifications.notification_templates (bot_id, rule, language, source, changed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (bot_id, rule, language) DO UPDATE SET source = $4, changed_at = $5
       RETURNING (xmax = 0) AS inserted`,
      [botId, rule, language, source, now],
    );
    return { replaced: !row.inserted };
  }
}
