import { AdminApiController } from '@botplatform/service-kit';
import { Body, Delete, Get, Param, Put } from '@nestjs/common';
import type { RuleName } from '../rules/rule-catalogue.js';
import { type BotRule, RuleSettingsUseCase } from '../rules/rule-settings.use-case.js';
import { BotParams, RuleParams, SetRuleEnabledBody, SetTemplateBody, TemplateParams } from './notifications-admin.dto.js';

/**
 * A bot's notification rules and templates over HTTP, for that bot's API token only (AdminAuthGuard):
 * the same use case as the RPCs and `/notifadmin`, so a template that does not compile is refused with
 * the same problems (400 `NOTIFICATIONS.INVALID_TEMPLATE`) and nothing is written.
 */
@AdminApiController('admin/bots/:botId')
export class AdminNotificationRulesController {
  constructor(private readonly settings: RuleSettingsUseCase) {}

  @Get('notification-rules')
  async list(@Param() params: BotParams): Promise<{ rules: BotRule[] }> {
    return { rules: await this.settings.rulesOf(params.botId) };
  }

  @Get('notification-rules/:rule')
  async get(@Param() params: RuleParams): Promise<{ rule: BotRule }> {
    return { rule: await this.settings.ruleOf(params.botId, params.rule as RuleName) };
  }

  @Put('notification-rules/:rule')
  async setEnabled(@Param() params: RuleParams, @Body() body: SetRuleEnabledBody): Promise<{ rule: BotRule }> {
    await this.settings.setEnabled(params.botId, params.rule as RuleName, body.enabled);
    return { rule: await this.settings.ruleOf(params.botId, params.rule as RuleName) };
  }

  @Put('notification-templates/:rule/:language')
  async setTemplate(
    @Param() params: TemplateParams,
    @Body() body: SetTemplateBody,
  ): Promise<{ rule: string; language: string; source: string; replaced: boolean }> {
    const { replaced } = await this.settings.setTemplate(params.botId, params.rule as RuleName, params.language, body.source);
    return { rule: params.rule, language: params.language, source: body.source, replaced };
  }

  /** Back to the platform's template (en, ru) or, in another language, to the member's fallback. */
  @Delete('notification-templates/:rule/:language')
  async resetTemplate(@Param() params: TemplateParams): Promise<{ rule: string; language: string; removed: boolean }> {
    const { removed } = await this.settings.resetTemplate(params.botId, params.rule as RuleName, params.language);
    return { rule: params.rule, language: params.language, removed };
  }
}
