import type { ListParkedWebhooksRequestJson, ListProviderSettingsRequestJson, SetProviderSettingsRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { PROVIDER_IDS } from '../payment-provider.js';

/** `rpc.payments.set-provider-settings`. The secrets' values are checked in the use case (strings of 1-4096 characters). */
export class SetProviderSettingsDto implements SetProviderSettingsRequestJson {
  @IsUUID()
  botId: string;

  @IsIn(PROVIDER_IDS)
  provider: string;

  @IsBoolean()
  enabled: boolean;

  @IsOptional()
  @IsObject()
  secrets?: { [key: string]: string };

  @IsString()
  @Length(1, 100)
  updatedBy: string;
}

/** `rpc.payments.list-provider-settings`. */
export class ListProviderSettingsDto implements ListProviderSettingsRequestJson {
  @IsUUID()
  botId: string;
}

/** `rpc.payments.list-parked-webhooks`. */
export class ListParkedWebhooksDto implements ListParkedWebhooksRequestJson {
  @IsUUID()
  botId: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
