import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type MemberAdminActionReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { AdministerMemberUseCase } from './administer-member.use-case.js';
import { MemberAdminActionDto } from './members.dto.js';

/** Admin actions on a member of a bot: one RPC per action, one use case deciding them all. */
@RpcController()
export class AdministerMemberRpcController {
  constructor(private readonly useCase: AdministerMemberUseCase) {}

  @RpcHandler(RPC.users.blockMember)
  block(@Payload() request: MemberAdminActionDto): Promise<MemberAdminActionReplyJson> {
    return this.useCase.execute({ ...request, type: 'BlockMember' });
  }

  @RpcHandler(RPC.users.unblockMember)
  unblock(@Payload() request: MemberAdminActionDto): Promise<MemberAdminActionReplyJson> {
    return this.useCase.execute({ ...request, type: 'UnblockMember' });
  }

  @RpcHandler(RPC.users.proposeAdmin)
  proposeAdmin(@Payload() request: MemberAdminActionDto): Promise<MemberAdminActionReplyJson> {
    return this.useCase.execute({ ...request, type: 'ProposeAdmin' });
  }

  @RpcHandler(RPC.users.approveAdmin)
  approveAdmin(@Payload() request: MemberAdminActionDto): Promise<MemberAdminActionReplyJson> {
    return this.useCase.execute({ ...request, type: 'ApproveAdmin' });
  }

  @RpcHandler(RPC.users.revokeAdmin)
  revokeAdmin(@Payload() request: MemberAdminActionDto): Promise<MemberAdminActionReplyJson> {
    return this.useCase.execute({ ...request, type: 'RevokeAdmin' });
  }
}
