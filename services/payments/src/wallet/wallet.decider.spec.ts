import { DeciderSpecification } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { walletDecider, type RecordWalletEntry, type WalletEvent } from './wallet.decider.js';
import { InsufficientBalanceError, WalletAmountInvalidError, WalletReasonMissingError, WalletRequestReusedError } from './wallet.errors.js';

const botId = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const member = { botId, telegramUserId: '42', currency: 'XTR' };
const at = '2026-11-30T10:00:00.000Z';

const command = (kind: RecordWalletEntry['kind'], entryId: string, amount: string, extra: Partial<RecordWalletEntry> = {}): RecordWalletEntry => ({
  type: 'RecordWalletEntry',
  ...member,
  kind,
  entryId,
  amount,
  by: 'api:admin',
  now: at,
  ...extra,
});
const entry = (type: WalletEvent['type'], entryId: string, amount: string, balanceAfter: string, extra: object = {}): WalletEvent =>
  ({ type, data: { ...member, entryId, amount, balanceAfter, by: 'api:admin', recordedAt: at, ...extra } }) as WalletEvent;

describe('wallet decider', () => {
  it('tops up from nothing', () => {
    DeciderSpecification.for(walletDecider)
      .given([])
      .when(command('top_up', 't1', '500'))
      .then([entry('WalletToppedUp', 't1', '500', '500')]);
  });

  it('spends what the balance covers, signed negative, down to exactly zero', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500')])
      .when(command('spend', 's1', '500', { by: 'payments', reference: 'payment-1' }))
      .then([entry('WalletSpent', 's1', '-500', '0', { by: 'payments', reference: 'payment-1' })]);
  });

  it('refuses a spend the balance does not cover, with the balance in the error', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500')])
      .when(command('spend', 's1', '501'))
      .thenThrows(InsufficientBalanceError);
  });

  it('records the same request id once: a second spend with it decides nothing', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500'), entry('WalletSpent', 's1', '-200', '300')])
      .when(command('spend', 's1', '200'))
      .then([]);
  });

  it('refuses a request id reused for another amount or kind', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500'), entry('WalletSpent', 's1', '-200', '300')])
      .when(command('spend', 's1', '201'))
      .thenThrows(WalletRequestReusedError);
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500')])
      .when(command('refund', 't1', '500'))
      .thenThrows(WalletRequestReusedError);
  });

  it('adjusts down with a reason, never below zero, and refuses one without a reason', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500')])
      .when(command('adjustment', 'a1', '-120', { reason: 'goodwill reversed' }))
      .then([entry('WalletAdjusted', 'a1', '-120', '380', { reason: 'goodwill reversed' })]);
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '500', '500')])
      .when(command('adjustment', 'a1', '-501', { reason: 'too much' }))
      .thenThrows(InsufficientBalanceError);
    DeciderSpecification.for(walletDecider)
      .given([])
      .when(command('adjustment', 'a1', '10'))
      .thenThrows(WalletReasonMissingError);
  });

  it('gives back a refund and a referral reward', () => {
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletSpent', 's0', '0', '0')])
      .when(command('refund', 'r1', '250', { by: 'payments', reference: 'payment-1' }))
      .then([entry('WalletRefunded', 'r1', '250', '250', { by: 'payments', reference: 'payment-1' })]);
    DeciderSpecification.for(walletDecider)
      .given([])
      .when(command('referral_reward', 'ref1', '25'))
      .then([entry('WalletReferralRewarded', 'ref1', '25', '25')]);
  });

  it('refuses zero, negative and malformed amounts, and keeps int64 exact above 2^53', () => {
    for (const bad of ['0', '-5', '1.5', 'abc', '99999999999999999999']) {
      DeciderSpecification.for(walletDecider)
        .given([])
        .when(command('top_up', 't', bad))
        .thenThrows(WalletAmountInvalidError);
    }
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletToppedUp', 't1', '9007199254740993', '9007199254740993')])
      .when(command('spend', 's1', '1'))
      .then([entry('WalletSpent', 's1', '-1', '9007199254740992')]);
  });

  it('takes a referral reward back at most down to zero, and once whatever the balance is when asked again', () => {
    const reverse = command('referral_reversal', 'rev1', '25', { by: 'payments', reference: 'payment-1' });
    const reversal = (amount: string, balanceAfter: string) =>
      entry('WalletReferralReversed', 'rev1', amount, balanceAfter, { by: 'payments', reference: 'payment-1', requested: '25' });
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletReferralRewarded', 'ref1', '25', '40')])
      .when(reverse)
      .then([reversal('-25', '15')]);
    // Spent meanwhile: only what is left is taken (never below zero), even nothing.
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletReferralRewarded', 'ref1', '25', '25'), entry('WalletSpent', 's1', '-15', '10')])
      .when(reverse)
      .then([reversal('-10', '0')]);
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletReferralRewarded', 'ref1', '25', '25'), entry('WalletSpent', 's1', '-25', '0')])
      .when(reverse)
      .then([reversal('0', '0')]);
    DeciderSpecification.for(walletDecider)
      .given([entry('WalletReferralRewarded', 'ref1', '25', '25'), reversal('-25', '0'), entry('WalletToppedUp', 't1', '100', '100')])
      .when(reverse)
      .then([]);
  });

  it('folds the balance from the last entry', () => {
    const state = [entry('WalletToppedUp', 't1', '500', '500'), entry('WalletSpent', 's1', '-200', '300')].reduce(
      walletDecider.evolve,
      walletDecider.initialState(),
    );
    expect(state.balance).toBe(300n);
    expect([...state.entries.keys()]).toEqual(['t1', 's1']);
  });
});
