import { RpcController } from '@botplatform/bus';
import type { QueryAuditReplyJson } from '@botplatform/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog } from './audit-log.js';
import { QueryAuditDto } from './query-audit.dto.js';

export const QUERY_AUDIT = 'rpc.users.query-audit';

/** The audit log of one bot for its admins: newest first, filtered, one page per request. */
@RpcController()
export class QueryAuditHandler {
  constructor(private readonly audit: AuditLog) {}

  @MessagePattern(QUERY_AUDIT)
  queryAudit(@Payload() request: QueryAuditDto): Promise<QueryAuditReplyJson> {
    return this.audit.query(request);
  }
}
