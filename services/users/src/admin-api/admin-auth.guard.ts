import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { secretsEqual } from '../bot/api-token.js';
import { BotRegistry } from '../bot/bot-registry.js';
import { ForbiddenTenantError } from '../bot/bot.errors.js';
import { OPERATOR_API_TOKEN } from '../bot/bot.providers.js';
import { OperatorOnlyError, UnauthenticatedError } from './admin-api.errors.js';
import { OPERATOR_ONLY, type AdminPrincipal, type AdminRequest } from './admin-principal.js';

/**
 * Authenticates every admin API request and scopes it to a tenant. `Bearer bp_…` is a bot's API token
 * (looked up by its id, secret compared as hashes in constant time): it may only touch routes of its
 * own `:botId`, and another bot's path is refused with 403 before anything is read, so the answer is
 * the same whether that bot exists or not. Any other bearer is compared with the operator token,
 * also in constant time. Missing or wrong: 401.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly registry: BotRegistry,
    private readonly reflector: Reflector,
    @Inject(OPERATOR_API_TOKEN) private readonly operatorToken: string | undefined,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const principal = await this.authenticate(request.headers.authorization);
    const operatorOnly = this.reflector.getAllAndOverride<boolean | undefined>(OPERATOR_ONLY, [context.getHandler(), context.getClass()]);
    if (principal.kind === 'bot') {
      if (operatorOnly) throw new OperatorOnlyError();
      const botId = request.params.botId;
      if (botId !== undefined && botId !== principal.botId) throw new ForbiddenTenantError();
    }
    request.adminPrincipal = principal;
    return true;
  }

  private async authenticate(header: string | string[] | undefined): Promise<AdminPrincipal> {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthenticatedError();
    const token = match[1];
    if (token.startsWith('bp_')) {
      const bot = await this.registry.authenticateApiToken(token);
      if (!bot) throw new UnauthenticatedError();
      return { kind: 'bot', botId: bot.botId, tokenId: bot.tokenId };
    }
    if (this.operatorToken !== undefined && secretsEqual(token, this.operatorToken)) return { kind: 'operator' };
    throw new UnauthenticatedError();
  }
}
