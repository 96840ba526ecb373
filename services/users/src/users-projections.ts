import type { InlineProjection } from '@botplatform/event-store';
import { auditProjection } from './audit/audit.projection.js';
import { botsProjection } from './bot/bots.projection.js';
import { membersProjection } from './user/members.projection.js';

/**
 * Every read model of the users service. Each command handler of the service applies all of them in the
 * transaction of its append (see CommandHandler), so a query answered right after a command sees it; a
 * projection skips the event types it does not keep.
 */
export const usersProjections: readonly InlineProjection[] = [botsProjection, membersProjection, auditProjection];
