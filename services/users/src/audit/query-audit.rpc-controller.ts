import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type QueryAuditReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { AuditLog } from './audit-log.js';
import { QueryAuditDto } from './query-audit.dto.js';

/** The audit log of one bot for its admins: newest first, filtered, one page per request. */
@RpcController()
export class QueryAuditRpcController {
  constructor(private readonly audit: AuditLog) {}

  @RpcHandler(RPC.users.queryAudit)
  queryAudit(@Payload() request: QueryAuditDto): Promise<QueryAuditReplyJson> {
    return this.audit.query(request);
  }
}
