import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

/** Who called the admin API: the platform operator, or one bot through its own API token. */
export type AdminPrincipal = { readonly kind: 'operator' } | { readonly kind: 'bot'; readonly botId: string; readonly tokenId: string };

/** The request as the admin API reads it (Express underneath; only these fields are used). */
export interface AdminRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
  adminPrincipal?: AdminPrincipal;
}

/** How a principal is named in commands and the audit log: "operator" or "api:<token id>". */
export const requesterOf = (principal: AdminPrincipal): string => (principal.kind === 'operator' ? 'operator' : `api:${principal.tokenId}`);

export const OPERATOR_ONLY = 'users:admin-api:operator-only';

/** Marks a route only the operator token may call. */
export const OperatorOnly = (): MethodDecorator & ClassDecorator => SetMetadata(OPERATOR_ONLY, true);

/** The authenticated caller (set by AdminAuthGuard). */
export const Principal = createParamDecorator((_: unknown, context: ExecutionContext): AdminPrincipal => {
  return context.switchToHttp().getRequest<AdminRequest>().adminPrincipal!;
});
