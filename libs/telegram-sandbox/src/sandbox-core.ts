import { BotMessageSender } from './bot-api/bot-message.sender.js';
import { SandboxClock } from './clock/sandbox-clock.js';
import { FileStore, type FileStoreSnapshot } from './files/file-store.js';
import { PaymentService, type PaymentsSnapshot } from './payments/payment.service.js';
import { SendRateLimiter } from './rate-limit/send-rate-limiter.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';
import type { BotRecord } from './state/sandbox-records.js';
import { SandboxStore, type StoreSnapshot } from './state/sandbox-store.js';
import type { WebhookReply } from './updates/webhook-delivery.js';
import { WebhookRegistry } from './updates/webhook-registry.js';
import { CallbackQueryRegistry } from './users/callback-query.registry.js';
import { IncomingMessageDelivery } from './users/incoming-message.delivery.js';
import { UserActions } from './users/user-actions.js';

/** Everything of a sandbox that outlives a restart (`persistTo`). */
export interface SandboxSnapshot {
  version: 1;
  /** How far simulated time ran ahead of real time. */
  clockOffsetMs: number;
  store: StoreSnapshot;
  files: FileStoreSnapshot;
  payments: PaymentsSnapshot;
}

/**
 * The services of one sandbox, wired once. Bot API methods, the users' side and the web chat all
 * work on this same instance, which is what keeps the three views consistent.
 */
export class SandboxCore {
  readonly store = new SandboxStore();
  readonly files = new FileStore();
  readonly clock: SandboxClock;
  readonly rateLimiter: SendRateLimiter | undefined;
  readonly sender: BotMessageSender;
  readonly incoming: IncomingMessageDelivery;
  readonly callbacks = new CallbackQueryRegistry();
  readonly payments: PaymentService;
  readonly users: UserActions;
  readonly webhooks: WebhookRegistry;
  /** Set by the dispatcher: executes a method a webhook answered with. */
  webhookReplyHandler: (bot: BotRecord, reply: WebhookReply) => void = () => undefined;

  constructor(readonly options: ResolvedSandboxOptions) {
    this.clock = new SandboxClock(options.startAt);
    this.rateLimiter = options.rateLimits ? new SendRateLimiter(options.rateLimits) : undefined;
    this.incoming = new IncomingMessageDelivery(this.store, this.clock);
    this.payments = new PaymentService(this.store, this.clock, this.incoming, options.preCheckoutTimeoutMs);
    this.sender = new BotMessageSender(this.store, this.clock, this.rateLimiter, this.payments);
    this.users = new UserActions(this.store, this.clock, this.incoming, this.callbacks, this.payments, this.files);
    this.webhooks = new WebhookRegistry(this.clock, options.webhook, (bot, reply) => this.webhookReplyHandler(bot, reply));
  }

  snapshot(): SandboxSnapshot {
    return { version: 1, clockOffsetMs: this.clock.offset, store: this.store.snapshot(), files: this.files.snapshot(), payments: this.payments.snapshot() };
  }

  /** Only into a fresh core: the snapshot's records are adopted, not merged. */
  restore(snapshot: SandboxSnapshot): void {
    this.clock.restoreOffset(snapshot.clockOffsetMs);
    this.store.restore(snapshot.store);
    this.files.restore(snapshot.files);
    this.payments.restore(snapshot.payments);
  }
}
