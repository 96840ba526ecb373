import type { RunningService } from '@botplatform/service-kit';

/** The gateway could not be told of a service's bot features in time (it is up, so something is wrong). */
export class FeatureDeclarationTimeoutError extends Error {
  readonly code = 'PLATFORM.FEATURE_DECLARATION_TIMEOUT';
  constructor(service: string, timeoutMs: number, cause: Error | undefined) {
    super(`the gateway did not take the bot features of ${service} within ${timeoutMs} ms${cause ? ` (last error: ${cause.message})` : ''}`, { cause });
    this.name = 'FeatureDeclarationTimeoutError';
  }
}

/**
 * Waits until the gateway (started last) accepted the bot features of every service that has some. The
 * services declared as they started, before the gateway answered: they are asked to try again at once
 * rather than after their back-off. A refusal (a clash) fails the start with the declarer's message.
 */
export async function allFeaturesDeclared(services: readonly Pick<RunningService, 'name' | 'declarer'>[], timeoutMs: number): Promise<void> {
  const declaring = services.filter((service) => service.declarer);
  for (const service of declaring) service.declarer!.retryNow();
  await Promise.all(
    declaring.map(async (service) => {
      const declarer = service.declarer!;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FeatureDeclarationTimeoutError(service.name, timeoutMs, declarer.lastError)), timeoutMs);
      });
      try {
        await Promise.race([declarer.declared, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
