import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ForbiddenTenantError, UnauthenticatedError } from './admin-api.errors.js';
import type { AdminRequest } from './admin-principal.js';
import { ApiTokensClient } from './api-tokens.client.js';

/**
 * Authenticates every admin API request and scopes it to a tenant: `Bearer bp_…` is a bot's API token,
 * checked by the users service; it may only touch routes of its own `:botId`, and another bot's path is
 * refused with 403 before anything is read, so the answer is the same whether that bot exists or not.
 * Missing or wrong: 401. (No operator token here: what these APIs manage is each bot's own.) The
 * service provides `ApiTokensClient` with its error area.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly tokens: ApiTokensClient) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(bp_\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthenticatedError(this.tokens.area);
    const principal = await this.tokens.authenticate(match[1]);
    if (!principal) throw new UnauthenticatedError(this.tokens.area);
    if (request.params.botId !== undefined && request.params.botId !== principal.botId) throw new ForbiddenTenantError(this.tokens.area);
    request.adminPrincipal = principal;
    return true;
  }
}
