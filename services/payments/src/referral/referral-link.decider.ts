import type { Decider, DomainEvent } from '@botplatform/event-store';

/** The `/start` payload of a referral link: `ref_<referrer's Telegram user id>`. */
const REFERRAL_PAYLOAD = /^ref_([1-9][0-9]{0,15})$/;

/** The referrer's Telegram user id named by a `/start` payload, or null when it is no referral link. */
export function referrerOfPayload(payload: string | undefined): string | null {
  const match = payload ? REFERRAL_PAYLOAD.exec(payload.trim()) : null;
  return match ? match[1] : null;
}

/**
 * A member joined the bot (their first `/start`) through a referral link. `referrerIsMember` is what the
 * caller found in the bot's members when the join was handled: the decider reads no table.
 */
export interface LinkReferral {
  readonly type: 'LinkReferral';
  readonly botId: string;
  readonly referredTelegramUserId: string;
  readonly referrerTelegramUserId: string;
  readonly referrerIsMember: boolean;
  /** When the member joined (the users service's registered_at). */
  readonly joinedAt: string;
}

export type ReferralLinkCommand = LinkReferral;

export type ReferralLinked = DomainEvent<'ReferralLinked', { botId: string; referredTelegramUserId: string; referrerTelegramUserId: string; joinedAt: string }>;

export type ReferralLinkEvent = ReferralLinked;

export const REFERRAL_LINK_EVENT_TYPES = ['ReferralLinked'] as const satisfies readonly ReferralLinkEvent['type'][];

export type ReferralLinkState = { readonly linked: false } | { readonly linked: true; readonly referrerTelegramUserId: string };

/**
 * Who brought a member to a bot: set once, by the member's first join, to another member of the same
 * bot. A second join (a redelivered event), a self-referral or a referrer the bot does not know decide
 * nothing: the link is a fact about how the member arrived, never changed afterwards.
 */
export const referralLinkDecider: Decider<ReferralLinkState, ReferralLinkCommand, ReferralLinkEvent> = {
  initialState: () => ({ linked: false }),

  evolve: (_state, event) => ({ linked: true, referrerTelegramUserId: event.data.referrerTelegramUserId }),

  decide: (command, state) => {
    if (state.linked) return [];
    if (command.referrerTelegramUserId === command.referredTelegramUserId) return [];
    if (!command.referrerIsMember) return [];
    return [
      {
        type: 'ReferralLinked',
        data: {
          botId: command.botId,
          referredTelegramUserId: command.referredTelegramUserId,
          referrerTelegramUserId: command.referrerTelegramUserId,
          joinedAt: command.joinedAt,
        },
      },
    ];
  },
};

/** The stream of one member's referral link in one bot. */
export const referralLinkStreamId = (botId: string, referredTelegramUserId: string): string => `referral-${botId}-${referredTelegramUserId}`;
