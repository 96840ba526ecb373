import type { PublicEventMapper } from '@botplatform/bus';
import { ReferralJoinedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { ReferralLinkEvent } from './referral-link.decider.js';

/** `payments.referral.joined.v1` for a referral link; the rewards stay internal (the wallet's ledger shows them). */
export const referralPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<ReferralLinkEvent>;
  if (event.type !== 'ReferralLinked') return null;
  const { data } = event;
  return {
    schema: ReferralJoinedSchema,
    message: {
      botId: data.botId,
      referredTelegramUserId: BigInt(data.referredTelegramUserId),
      referrerTelegramUserId: BigInt(data.referrerTelegramUserId),
      joinedAt: timestampFromDate(new Date(data.joinedAt)),
    },
  };
};
