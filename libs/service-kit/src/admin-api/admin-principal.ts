import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who called the admin API: one bot, through its own API token. */
export interface AdminPrincipal {
  readonly botId: string;
  readonly tokenId: string;
}

/** The request as the admin API reads it (Express underneath; only these fields are used). */
export interface AdminRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
  adminPrincipal?: AdminPrincipal;
}

/** How a principal is named on the events it causes: "api:<token id>", as in the users service. */
export const requesterOf = (principal: AdminPrincipal): string => `api:${principal.tokenId}`;

/** The authenticated caller (set by AdminAuthGuard). */
export const Principal = createParamDecorator((_: unknown, context: ExecutionContext): AdminPrincipal => {
  return context.switchToHttp().getRequest<AdminRequest>().adminPrincipal!;
});
