import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type WalletBalanceReplyJson, type WalletEntryReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { GetWalletBalanceUseCase, RecordWalletEntryUseCase } from './record-wallet-entry.use-case.js';
import { AdjustWalletDto, GetWalletBalanceDto, SpendFromWalletDto, TopUpWalletDto } from './wallet.dto.js';

/** The wallet's RPCs: balance, top-up and adjustment (an admin's), spend (once per request id). */
@RpcController()
export class WalletRpcController {
  constructor(
    private readonly record: RecordWalletEntryUseCase,
    private readonly balance: GetWalletBalanceUseCase,
  ) {}

  @RpcHandler(RPC.payments.getWalletBalance)
  getBalance(@Payload() request: GetWalletBalanceDto): Promise<WalletBalanceReplyJson> {
    return this.balance.execute(request);
  }

  @RpcHandler(RPC.payments.topUpWallet)
  topUp(@Payload() request: TopUpWalletDto): Promise<WalletEntryReplyJson> {
    const { botId, telegramUserId, currency, amount, requestId, toppedUpBy, reason } = request;
    return this.record.execute(
      { botId, telegramUserId, currency, amount, kind: 'top_up', entryId: requestId, by: toppedUpBy, ...(reason ? { reason } : {}) },
      { kind: 'admin', id: toppedUpBy },
    );
  }

  @RpcHandler(RPC.payments.adjustWallet)
  adjust(@Payload() request: AdjustWalletDto): Promise<WalletEntryReplyJson> {
    const { botId, telegramUserId, currency, amount, requestId, adjustedBy, reason } = request;
    return this.record.execute(
      { botId, telegramUserId, currency, amount, kind: 'adjustment', entryId: requestId, by: adjustedBy, reason },
      { kind: 'admin', id: adjustedBy },
    );
  }

  @RpcHandler(RPC.payments.spendFromWallet)
  spend(@Payload() request: SpendFromWalletDto): Promise<WalletEntryReplyJson> {
    const { botId, telegramUserId, currency, amount, requestId, reference } = request;
    return this.record.execute(
      { botId, telegramUserId, currency, amount, kind: 'spend', entryId: requestId, by: 'rpc', ...(reference ? { reference } : {}) },
      { kind: 'service', id: 'rpc' },
    );
  }
}
