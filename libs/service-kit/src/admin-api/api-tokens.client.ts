import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import type { OnModuleDestroy } from '@nestjs/common';
import { AuthenticationUnavailableError } from './admin-api.errors.js';

/**
 * Whose a bot API token is, asked of the users service (`rpc.users.authenticate-api-token`), which
 * keeps the tokens' hashes. Not cached: a rotated token stops working at once, as in the users API.
 * `area` is the answering service's error area (`SUBSCRIPTIONS`, `NOTIFICATIONS`): the guard's refusals
 * carry it. The service needs the NATS permission to request that subject.
 */
export class ApiTokensClient implements OnModuleDestroy {
  constructor(
    private readonly rpc: RpcClient,
    readonly area: string,
  ) {}

  /** The token's bot, or null for a token nobody issued. */
  async authenticate(token: string): Promise<{ botId: string; tokenId: string } | null> {
    try {
      const reply = await this.rpc.call(RPC.users.authenticateApiToken, { token });
      return { botId: reply.botId ?? '', tokenId: reply.tokenId ?? '' };
    } catch (error) {
      if (error instanceof RpcCallError && (error.code === 'USERS.UNAUTHENTICATED' || error.code === 'VALIDATION.FAILED')) return null;
      throw new AuthenticationUnavailableError(this.area, error instanceof Error ? error.message : String(error));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.rpc.close();
  }
}
