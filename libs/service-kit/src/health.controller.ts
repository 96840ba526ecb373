import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { HEALTH_CHECKS, type HealthCheck } from './health-check.js';

/** `GET /health`: 200 with each check's state when all are up, 503 naming the ones that are not. */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: readonly HealthCheck[]) {}

  @Get()
  async health(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const results = await Promise.all(
      this.checks.map(async (check) => {
        try {
          return [check.name, (await check.probe()) ?? 'up'] as const;
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
