import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ListParkedWebhooksReplyJson, type ListProviderSettingsReplyJson, type ProviderSettingsReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ParkedWebhooks } from '../webhooks/parked-webhooks.store.js';
import { ListParkedWebhooksDto, ListProviderSettingsDto, SetProviderSettingsDto } from './provider-settings.dto.js';
import { ProviderSettingsStore } from './provider-settings.store.js';
import { SetProviderSettingsUseCase, settingsJson } from './set-provider-settings.use-case.js';

/** `RPC.payments.setProviderSettings`, `listProviderSettings` and `listParkedWebhooks`: an operator's (or a bot admin API's) view of the providers. */
@RpcController()
export class ProviderSettingsRpcController {
  constructor(
    private readonly setSettings: SetProviderSettingsUseCase,
    private readonly settings: ProviderSettingsStore,
    private readonly parked: ParkedWebhooks,
  ) {}

  @RpcHandler(RPC.payments.setProviderSettings)
  async set(@Payload() request: SetProviderSettingsDto): Promise<ProviderSettingsReplyJson> {
    return { settings: await this.setSettings.execute(request) };
  }

  @RpcHandler(RPC.payments.listProviderSettings)
  async list(@Payload() request: ListProviderSettingsDto): Promise<ListProviderSettingsReplyJson> {
    return { providers: (await this.settings.list(request.botId)).map(settingsJson) };
  }

  @RpcHandler(RPC.payments.listParkedWebhooks)
  async listParked(@Payload() request: ListParkedWebhooksDto): Promise<ListParkedWebhooksReplyJson> {
    const parked = await this.parked.list(request.botId, request.limit ?? 50);
    return {
      webhooks: parked.map((webhook) => ({
        parkedId: webhook.parkedId,
        provider: webhook.provider,
        updateId: webhook.updateId,
        ...(webhook.paymentId ? { paymentId: webhook.paymentId } : {}),
        ...(webhook.chargeId ? { chargeId: webhook.chargeId } : {}),
        reason: webhook.reason,
        deliveries: webhook.deliveries,
        receivedAt: webhook.receivedAt.toISOString(),
        body: webhook.body,
      })),
    };
  }
}
