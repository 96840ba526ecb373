import { ActivityCompletedSchema, BadgeAwardedSchema, LevelReachedSchema, StreakExtendedSchema, XpAwardedSchema } from '@botplatform/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@botplatform/service-kit/testing';
import { gamificationService } from '../gamification.service.js';

export { TestClock } from '@botplatform/service-kit/testing';

/** The gamification service running for one test file: its own database, the in-process bus and RPC, a test clock. */
export type GamificationTestService = ServiceUnderTest;

/** Starts the gamification service as startService does in production, with a test clock, and a consumer of its public events. */
export function startGamificationTestService(prefix: string, start: Date): Promise<GamificationTestService> {
  return startServiceUnderTest(gamificationService, {
    prefix,
    start,
    observe: [XpAwardedSchema, LevelReachedSchema, BadgeAwardedSchema, StreakExtendedSchema, ActivityCompletedSchema],
  });
}
