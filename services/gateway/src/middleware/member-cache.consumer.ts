import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import {
  IdentityProfileChangedSchema,
  MemberLanguageChangedSchema,
  MemberRoleChangedSchema,
  MemberStatusChangedSchema,
  isEventOf,
} from '@botplatform/contracts';
import type { MemberCache } from './member-cache.js';

/**
 * Keeps the identity middleware's {@link MemberCache} honest when a member changes elsewhere: an admin
 * blocked them over the HTTP API, the owner approved them in another gateway replica, and so on.
 * Invalidating is idempotent and the cache is memory, so a redelivered event does no harm.
 */
export function memberCacheConsumer(cache: MemberCache): ConsumerDefinition {
  return {
    name: 'gateway--member-cache',
    source: 'users',
    subjects: ['users.member.status_changed.v1', 'users.member.role_changed.v1', 'users.member.language_changed.v1', 'users.identity.profile_changed.v1'],
    handle: async (event) => {
      if (isEventOf(event, IdentityProfileChangedSchema)) {
        // The identity is shared by every bot the user wrote to, so each membership's view is stale.
        cache.invalidateUser(event.message.telegramUserId.toString());
        return;
      }
      if (isEventOf(event, MemberStatusChangedSchema) || isEventOf(event, MemberRoleChangedSchema) || isEventOf(event, MemberLanguageChangedSchema)) {
        cache.invalidate(event.message.botId, event.message.telegramUserId.toString());
        return;
      }
      throw new ParkEventError(`unexpected ${event.subject}`);
    },
  };
}
