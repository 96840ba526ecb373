import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, rpcErrorDetailsOf, type DeclareBotFeaturesReplyJson } from '@botplatform/contracts';
import { Logger } from '@nestjs/common';
import type { BotFeatureRouter } from './bot-feature-router.js';

/** The gateway refused the declaration: another service (or the gateway) owns one of its names. */
export class FeatureDeclarationRefusedError extends Error {
  readonly code: string;
  constructor(
    readonly service: string,
    cause: RpcCallError,
  ) {
    const clash = rpcErrorDetailsOf(cause, 'GATEWAY.FEATURE_CLASH');
    super(
      clash
        ? `the gateway refused the bot features of ${service}: the ${clash.kind.replaceAll('_', ' ')} "${clash.name}" belongs to ${clash.owner}`
        : `the gateway refused the bot features of ${service}: ${cause.message}`,
      { cause },
    );
    this.name = 'FeatureDeclarationRefusedError';
    this.code = cause.code;
  }
}

/** Codes that no retry changes; anything else (no gateway yet, a race, the broker away) is tried again. */
const FINAL_REFUSALS = new Set(['GATEWAY.FEATURE_CLASH', 'BOT.INVALID_DECLARATION', 'VALIDATION.FAILED']);

export interface FeatureDeclarerOptions {
  /** Pauses between attempts while the gateway does not answer (default 1, 2, 5, then every 10 s). */
  readonly retryDelaysMs?: readonly number[];
}

export type DeclarationState = 'pending' | 'declared' | 'refused' | 'stopped';

/**
 * Keeps the gateway told what a service's router handles: at start, then each time a route is added.
 * While the gateway does not answer (it may start after the service), it tries again; a refusal (a
 * clash, a malformed name) is final and rejects `declared`.
 */
export class FeatureDeclarer {
  private readonly logger = new Logger('FeatureDeclarer');
  private readonly retryDelays: readonly number[];
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private attempt = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private resolveDeclared!: () => void;
  private rejectDeclared!: (error: Error) => void;
  private stateValue: DeclarationState = 'pending';
  /** Settles once the gateway accepted (or refused) the first declaration. */
  readonly declared: Promise<void>;
  lastReply: DeclareBotFeaturesReplyJson | undefined;
  lastError: Error | undefined;

  constructor(
    /** The router whose declaration it keeps in force. */
    readonly router: BotFeatureRouter,
    private readonly rpc: RpcClient,
    options: FeatureDeclarerOptions = {},
  ) {
    this.retryDelays = options.retryDelaysMs ?? [1_000, 2_000, 5_000, 10_000];
    this.declared = new Promise<void>((resolve, reject) => {
      this.resolveDeclared = resolve;
      this.rejectDeclared = reject;
    });
    // Observed by whoever awaits it; never an unhandled rejection when nobody does.
    this.declared.catch(() => undefined);
  }

  get state(): DeclarationState {
    return this.stateValue;
  }

  /** Sends the declaration now and again whenever the router changes. */
  start(): Promise<void> {
    this.unsubscribe = this.router.onChange(() => this.declareSoon());
    this.declareSoon();
    return this.declared;
  }

  /**
   * Tries again at once instead of after the current pause, while not declared yet: what a platform
   * calls once its gateway is up, so a service started before it does not wait out its back-off.
   */
  retryNow(): void {
    if (this.stateValue === 'pending') this.declareSoon();
  }

  stop(): void {
    this.stateValue = 'stopped';
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  private declareSoon(): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'refused') return;
    clearTimeout(this.timer);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.declareOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.declareSoon();
      }
    });
  }

  private async declareOnce(): Promise<void> {
    const declaration = this.router.declaration();
    try {
      this.lastReply = await this.rpc.call(RPC.gateway.declareBotFeatures, { declaration });
      if (this.stateValue === 'stopped') return;
      this.attempt = 0;
      this.lastError = undefined;
      if (this.stateValue === 'pending') this.logger.log(`bot features of ${this.router.service} declared (routing table v${this.lastReply.version ?? 0})`);
      this.stateValue = 'declared';
      this.resolveDeclared();
    } catch (error) {
      if (this.stateValue === 'stopped') return;
      if (error instanceof RpcCallError && FINAL_REFUSALS.has(error.code)) {
        const refused = new FeatureDeclarationRefusedError(this.router.service, error);
        this.lastError = refused;
        this.stateValue = 'refused';
        this.logger.error(refused.message);
        this.rejectDeclared(refused);
        return;
      }
      // No gateway yet, or the broker is away: the gateway rebuilds its table from events, so the
      // declaration only has to land once.
      this.lastError = error as Error;
      const delay = this.retryDelays[Math.min(this.attempt++, this.retryDelays.length - 1)]!;
      if (this.attempt === 1)
        this.logger.warn(`the gateway did not take the bot features of ${this.router.service} yet (${(error as Error).message}); trying again`);
      this.timer = setTimeout(() => this.declareSoon(), delay);
      this.timer.unref();
    }
  }
}
