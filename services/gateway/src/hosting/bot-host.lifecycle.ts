import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BotHost } from './bot-host.js';

/** Token of what the gateway closes after its bots have stopped (the users RPC client). */
export const GATEWAY_DISPOSABLES = Symbol('GatewayDisposables');

/** Token of whether the bots are hosted at all (`GatewayHostingConfig.hostBots`). */
export const HOSTING_OPTIONS = Symbol('GatewayHostingOptions');

export interface HostingOptions {
  readonly hostBots: boolean;
}

export interface Disposable {
  close(): Promise<void> | void;
}

/** Starts hosting the bots once the app is up, and stops them when it shuts down. */
@Injectable()
export class BotHostLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('BotHost');

  constructor(
    private readonly host: BotHost,
    @Inject(GATEWAY_DISPOSABLES) private readonly disposables: readonly Disposable[],
    @Inject(HOSTING_OPTIONS) private readonly hosting: HostingOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.hosting.hostBots) return;
    // Not awaited: Nest opens the HTTP port only after bootstrap, and in webhook mode Telegram posts
    // right after setWebhook. Tests and callers wait with `host.ready()`.
    this.host.start().catch((error: unknown) => this.logger.error(`hosting did not start: ${String(error)}`));
  }

  /** Before the HTTP server closes, so webhook requests still being handled get their answer. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.host.stopAll();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const disposable of this.disposables) await disposable.close();
  }
}
