import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { HEALTH_CHECKS, HealthProbeTimeoutError, type HealthCheck } from './health-check.js';

/**
 * How long one probe may take. An unusable dependency often does not fail but hangs (a pool whose
 * connections are all stuck, a broker that stopped answering): `/health` must still answer, with 503.
 */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/** `GET /health`: 200 with each check's state when all are up, 503 naming the ones that are not. */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: readonly HealthCheck[]) {}

  @Get()
  async health(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const results = await Promise.all(
      this.checks.map(async (check) => {
        try {
          return [check.name, (await probeWithin(check, HEALTH_PROBE_TIMEOUT_MS)) ?? 'up'] as const;
        } catch (error) {
          return [check.name, `down: ${error instanceof Error ? error.message : String(error)}`] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.some(([, state]) => state.startsWith('down'))) {
      throw new HttpException({ status: 'down', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok', checks };
  }
}

async function probeWithin(check: HealthCheck, timeoutMs: number): Promise<string | void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthProbeTimeoutError(check.name, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([check.probe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
