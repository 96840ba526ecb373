import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type SetRuleEnabledReplyJson, type SetTemplateReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import type { RuleName } from './rule-catalogue.js';
import { RuleSettingsUseCase } from './rule-settings.use-case.js';
import { SetRuleEnabledDto } from './set-rule-enabled.dto.js';
import { SetTemplateDto } from './set-template.dto.js';

/** `RPC.notifications.setRuleEnabled` and `RPC.notifications.setTemplate`: a bot's rules and their wording. */
@RpcController()
export class RuleSettingsRpcController {
  constructor(private readonly settings: RuleSettingsUseCase) {}

  @RpcHandler(RPC.notifications.setRuleEnabled)
  async setRuleEnabled(@Payload() request: SetRuleEnabledDto): Promise<SetRuleEnabledReplyJson> {
    await this.settings.setEnabled(request.botId, request.rule as RuleName, request.enabled);
    return { botId: request.botId, rule: request.rule, enabled: request.enabled };
  }

  @RpcHandler(RPC.notifications.setTemplate)
  async setTemplate(@Payload() request: SetTemplateDto): Promise<SetTemplateReplyJson> {
    const { replaced } = await this.settings.setTemplate(request.botId, request.rule as RuleName, request.language, request.source);
    return { botId: request.botId, rule: request.rule, language: request.language, replaced };
  }
}
