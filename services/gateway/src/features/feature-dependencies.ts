import type { Logger } from '@nestjs/common';
import type { MemberCache } from '../middleware/member-cache.js';
import type { UsersClient } from '../users/users.client.js';

/** What the features that change members need: the users service, and the cache to keep honest. */
export interface FeatureDependencies {
  readonly users: UsersClient;
  readonly memberCache: MemberCache;
  readonly logger: Logger;
}
