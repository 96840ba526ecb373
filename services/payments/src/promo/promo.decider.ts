import type { Decider, DomainEvent } from '@botplatform/event-store';
import {
  PromoAlreadyRedeemedError,
  PromoExistsError,
  PromoExpiredError,
  PromoInactiveError,
  PromoInvalidError,
  PromoNotFoundError,
  PromoUsedUpError,
} from './promo.errors.js';

/**
 * What a code gives: a plan granted through subscriptions (free days, or a pack of credits: the plan
 * says which), a top-up of the member's wallet, or a discount on the member's next purchase.
 */
export type PromoReward =
  | { readonly kind: 'grant_plan'; readonly planId: string }
  | { readonly kind: 'wallet_top_up'; readonly currency: string; readonly amount: string }
  | { readonly kind: 'percent_off'; readonly percent: number }
  | { readonly kind: 'fixed_off'; readonly currency: string; readonly amount: string };

export interface PromoDefinition {
  readonly reward: PromoReward;
  /** Uses in all; unlimited when absent. */
  readonly maxUses?: number;
  /** False: each member redeems it once (the default). */
  readonly reusableByMember: boolean;
  /** ISO time after which it is refused. */
  readonly expiresAt?: string;
  readonly active: boolean;
  /** The batch it was generated in. */
  readonly batchId?: string;
}

export interface CreatePromoCode {
  readonly type: 'CreatePromoCode';
  readonly botId: string;
  readonly code: string;
  readonly definition: PromoDefinition;
  readonly createdBy: string;
  readonly now: string;
}

export interface RedeemPromoCode {
  readonly type: 'RedeemPromoCode';
  readonly botId: string;
  readonly code: string;
  readonly telegramUserId: string;
  readonly now: string;
}

export interface SetPromoCodeActive {
  readonly type: 'SetPromoCodeActive';
  readonly botId: string;
  readonly code: string;
  readonly active: boolean;
  readonly by: string;
  readonly now: string;
}

export type PromoCommand = CreatePromoCode | RedeemPromoCode | SetPromoCodeActive;

export type PromoCodeCreated = DomainEvent<
  'PromoCodeCreated',
  { botId: string; code: string; definition: PromoDefinition; createdBy: string; createdAt: string }
>;
/** `redemptionId` is the effect's idempotency key (the grant's id, the wallet entry's request id). */
export type PromoCodeRedeemed = DomainEvent<
  'PromoCodeRedeemed',
  { botId: string; code: string; telegramUserId: string; redemptionId: string; use: number; reward: PromoReward; redeemedAt: string }
>;
export type PromoCodeActiveSet = DomainEvent<'PromoCodeActiveSet', { botId: string; code: string; active: boolean; by: string; at: string }>;

export type PromoEvent = PromoCodeCreated | PromoCodeRedeemed | PromoCodeActiveSet;
export const PROMO_EVENT_TYPES = ['PromoCodeCreated', 'PromoCodeRedeemed', 'PromoCodeActiveSet'] as const satisfies readonly PromoEvent['type'][];

export type PromoState =
  | { readonly status: 'none' }
  | {
      readonly status: 'created';
      readonly botId: string;
      readonly code: string;
      readonly definition: PromoDefinition;
      readonly uses: number;
      /** Member → their last redemption id. */
      readonly redeemers: ReadonlyMap<string, string>;
    };

/** Codes are 4 to 32 of A-Z, 0-9, _ and -, kept upper-case. */
export const PROMO_CODE = /^[A-Z0-9_-]{4,32}$/;
export const normalizeCode = (code: string): string => code.trim().toUpperCase();

export function validateDefinition(code: string, definition: PromoDefinition): void {
  if (!PROMO_CODE.test(code)) throw new PromoInvalidError(`"${code}" is not a promo code: 4 to 32 of A-Z, 0-9, _ and -`);
  const { reward } = definition;
  if (definition.maxUses !== undefined && (!Number.isInteger(definition.maxUses) || definition.maxUses < 1))
    throw new PromoInvalidError('maxUses must be at least 1');
  if (definition.expiresAt !== undefined && Number.isNaN(Date.parse(definition.expiresAt))) throw new PromoInvalidError('expiresAt is not a time');
  switch (reward.kind) {
    case 'grant_plan':
      if (!/^[0-9a-f-]{36}$/.test(reward.planId)) throw new PromoInvalidError('planId must be a plan id');
      return;
    case 'percent_off':
      if (!Number.isInteger(reward.percent) || reward.percent < 1 || reward.percent > 100) throw new PromoInvalidError('percent must be 1 to 100');
      return;
    case 'wallet_top_up':
    case 'fixed_off':
      if (!/^[A-Z]{3}$/.test(reward.currency)) throw new PromoInvalidError('currency must be three capital letters');
      if (!/^[1-9][0-9]{0,18}$/.test(reward.amount)) throw new PromoInvalidError('amount must be a positive integer of minor units');
      return;
  }
}

/**
 * One promo code of one bot: created with its reward and limits, redeemed while active, unexpired and
 * with uses left, once per member unless it says otherwise. The stream is locked by its writers (ADR
 * 0004), so 100 members racing for the last 10 uses get exactly 10.
 */
export const promoDecider: Decider<PromoState, PromoCommand, PromoEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'PromoCodeCreated':
        return { status: 'created', botId: event.data.botId, code: event.data.code, definition: event.data.definition, uses: 0, redeemers: new Map() };
      case 'PromoCodeRedeemed': {
        if (state.status === 'none') return state;
        const redeemers = new Map(state.redeemers);
        redeemers.set(event.data.telegramUserId, event.data.redemptionId);
        return { ...state, uses: event.data.use, redeemers };
      }
      case 'PromoCodeActiveSet':
        return state.status === 'none' ? state : { ...state, definition: { ...state.definition, active: event.data.active } };
    }
  },

  decide: (command, state) => {
    if (command.type === 'CreatePromoCode') {
      if (state.status !== 'none') throw new PromoExistsError(command.code);
      validateDefinition(command.code, command.definition);
      return [
        {
          type: 'PromoCodeCreated',
          data: { botId: command.botId, code: command.code, definition: command.definition, createdBy: command.createdBy, createdAt: command.now },
        },
      ];
    }
    if (state.status === 'none' || state.botId !== command.botId) throw new PromoNotFoundError(command.code);
    if (command.type === 'SetPromoCodeActive') {
      if (state.definition.active === command.active) return [];
      return [{ type: 'PromoCodeActiveSet', data: { botId: command.botId, code: command.code, active: command.active, by: command.by, at: command.now } }];
    }
    const { definition } = state;
    if (!definition.reusableByMember && state.redeemers.has(command.telegramUserId)) throw new PromoAlreadyRedeemedError(command.code, command.telegramUserId);
    if (!definition.active) throw new PromoInactiveError(command.code);
    if (definition.expiresAt !== undefined && Date.parse(command.now) >= Date.parse(definition.expiresAt)) throw new PromoExpiredError(command.code);
    if (definition.maxUses !== undefined && state.uses >= definition.maxUses) throw new PromoUsedUpError(command.code);
    const use = state.uses + 1;
    return [
      {
        type: 'PromoCodeRedeemed',
        data: {
          botId: command.botId,
          code: command.code,
          telegramUserId: command.telegramUserId,
          redemptionId: `promo:${command.botId}:${command.code}:${use}`,
          use,
          reward: definition.reward,
          redeemedAt: command.now,
        },
      },
    ];
  },
};

export const promoStreamId = (botId: string, code: string): string => `promo-${botId}-${code}`;
