import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DEFAULT_TEMPLATES } from '../templates/default-templates.js';
import { compileTemplate } from '../templates/notification-template.js';
import { type Category, RULE_DEFINITIONS, RULES, type RuleName } from './rule-catalogue.js';
import { InvalidTemplateError } from './rules.errors.js';

/**
 * A bot's rule switches and templates: what the rules read when an event comes. Both are settings kept
 * as rows (the last write wins), not event streams: nothing else reacts to them yet.
 */
/** The languages the platform has default templates in. */
export const DEFAULT_TEMPLATE_LANGUAGES = ['en', 'ru'] as const;

/** A template the bot wrote for one language. */
export interface BotTemplate {
  readonly language: string;
  readonly source: string;
  readonly changedAt: string;
}

/** One rule as a bot has it: its switch (or the default), what its templates may use, its wording. */
export interface BotRule {
  readonly name: RuleName;
  readonly category: Category;
  readonly enabled: boolean;
  /** Whether the bot switched it itself (else `enabled` is the rule's default). */
  readonly switched: boolean;
  readonly variables: readonly string[];
  /** The bot's own templates, by language. */
  readonly templates: readonly BotTemplate[];
  /** The platform's en and ru templates, and whether the bot uses them (it has none of its own in that language). */
  readonly platformDefaults: readonly { readonly language: string; readonly source: string; readonly used: boolean }[];
}

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

  /** Removes the bot's template for the language: the rule falls back to the platform's. */
  async resetTemplate(botId: string, rule: RuleName, language: string): Promise<{ removed: boolean }> {
    const rows = await runSql<{ rule: string }>(
      this.orm.em.fork(),
      'DELETE FROM notifications.notification_templates WHERE bot_id = $1 AND rule = $2 AND language = $3 RETURNING rule',
      [botId, rule, language],
    );
    return { removed: rows.length > 0 };
  }

  /** Every rule as the bot has it, in the catalogue's order. */
  async rulesOf(botId: string): Promise<BotRule[]> {
    const em = this.orm.em.fork();
    const switches = await runSql<{ rule: string; enabled: boolean }>(
      em,
      'SELECT rule, enabled FROM notifications.notification_rule_switches WHERE bot_id = $1',
      [botId],
    );
    const templates = await runSql<{ rule: string; language: string; source: string; changed_at: Date }>(
      em,
      'SELECT rule, language, source, changed_at FROM notifications.notification_templates WHERE bot_id = $1 ORDER BY rule, language',
      [botId],
    );
    const switchOf = new Map(switches.map((row) => [row.rule, row.enabled]));
    return RULES.map((name) => {
      const definition = RULE_DEFINITIONS[name];
      const own = templates
        .filter((row) => row.rule === name)
        .map((row) => ({ language: row.language, source: row.source, changedAt: new Date(row.changed_at).toISOString() }));
      return {
        name,
        category: definition.category,
        enabled: switchOf.get(name) ?? definition.onByDefault,
        switched: switchOf.has(name),
        variables: Object.keys(definition.variables),
        templates: own,
        platformDefaults: DEFAULT_TEMPLATE_LANGUAGES.map((language) => ({
          language,
          source: DEFAULT_TEMPLATES[language][name],
          used: !own.some((template) => template.language === language),
        })),
      };
    });
  }

  /** The rule as the bot has it. */
  async ruleOf(botId: string, rule: RuleName): Promise<BotRule> {
    return (await this.rulesOf(botId)).find((candidate) => candidate.name === rule)!;
  }
}
