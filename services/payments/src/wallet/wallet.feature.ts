import type { BotFeatureRouter, FeatureContext } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { formatMoment } from '../bot/stars-checkout.feature.js';
import type { WalletEntryKind } from './wallet.decider.js';
import { WalletCommands } from './wallet-commands.js';

const LAST_ENTRIES = 10;

/**
 * `/balance`: the member's balance per currency and the ledger's last entries, in their language. (Paying
 * a plan from the wallet is subscriptions' "Pay from wallet" on the plan's card, through
 * `rpc.payments.pay-from-wallet`: a button must be in the namespace of the service whose screen it is on.)
 */
@Injectable()
export class WalletFeature {
  constructor(private readonly wallet: WalletCommands) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router.command('balance', { description: { en: 'Your wallet', ru: 'Ваш кошелёк' } }, (ctx) => this.balance(ctx));
  }

  private async balance(ctx: FeatureContext): Promise<void> {
    const ledger = await this.wallet.ledger(ctx.botId, ctx.telegramUserId, LAST_ENTRIES);
    if (ledger.entries.length === 0) {
      ctx.reply(ctx.t('balance-empty'));
      return;
    }
    const lines = [
      ctx.t('balance-title'),
      ...ledger.balances.map((balance) => `  ${formatAmount(balance.amount, balance.currency)}`),
      '',
      ctx.t('balance-last'),
    ];
    for (const entry of ledger.entries) {
      const signed = BigInt(entry.amount);
      const amount = `${signed < 0n ? '−' : '+'}${formatAmount((signed < 0n ? -signed : signed).toString(), entry.currency)}`;
      const note = entry.reason ? ` (${entry.reason})` : '';
      lines.push(`${formatMoment(entry.recordedAt.toISOString(), ctx.timeZone)} ${ctx.t(`entry-${entry.kind satisfies WalletEntryKind}`)} ${amount}${note}`);
    }
    ctx.reply(lines.join('\n'));
  }
}

/** "⭐ 250" for Stars; "12.50 USD" for a currency with two minor digits (the exponent from Intl). */
export function formatAmount(minor: string, currency: string): string {
  if (currency === 'XTR') return `⭐ ${minor}`;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // An unknown code: two digits.
  }
  if (digits === 0) return `${minor} ${currency}`;
  const padded = minor.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)} ${currency}`;
}
