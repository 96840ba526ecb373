import { type EventContext, PostgresEventStore, runSql } from '@botplatform/event-store';
import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { notificationsTranslate } from '../i18n/notifications-i18n.js';
import { type MessageSendRequested, type OutboundButton, outboundStreamId } from '../outbound/outbound-message.decider.js';
import { progressButtons, progressText } from './broadcast-progress.js';
import { broadcastRequestId } from './broadcast-request-id.js';
import { BROADCAST_SETTINGS, type BroadcastSettings } from './broadcast-settings.js';
import { windowRateFor } from './broadcast-window.js';
import type { BroadcastButton, BroadcastParseMode, BroadcastReport } from './broadcast.decider.js';
import { type BroadcastProgress, BroadcastUseCases, progressOf } from './broadcasts.use-case.js';

interface ActiveBroadcast {
  broadcast_id: string;
  bot_id: string;
  admin_telegram_user_id: string;
  status: 'sending' | 'cancelled';
  text: string;
  parse_mode: BroadcastParseMode | null;
  photo: string | null;
  buttons: BroadcastButton[];
  rate_per_second: string;
  paid: boolean;
  progress_chat_id: string | null;
  progress_message_id: string | null;
}

/** What one outbound request carries besides its text. */
interface RequestOptions {
  readonly parseMode?: BroadcastParseMode | null;
  readonly photo?: string | null;
  readonly buttons?: OutboundButton[][];
  readonly paid?: boolean;
  readonly editMessageId?: number;
}

interface Allowance {
  tokens: number;
  at: number;
  /**
   * When a settlement was first seen: the pace is measured from then on (before it, the outbound path is
   * only filling, and its pace says nothing yet).
   */
  firstSettledAt: number | undefined;
  /**
   * Seconds a request takes to come back settled when little waits (the first quartile of the last
   * ones): the outbound path's own round trip, which the window covers on top of `windowSeconds`.
   */
  transitSeconds: number;
  transitMeasuredAt: number | undefined;
  /** The median round trip of the recipients settled over the last `MEASURE_MS`; undefined: none settled. */
  roundTripSeconds: number | undefined;
  /**
   * Recipients settled per second over the last `MEASURE_MS`, the pace the gateway actually keeps, and
   * when it was counted (every `PACE_COUNT_MS`, not every tick); undefined before there is one.
   */
  pace: { at: number; measured: number | undefined } | undefined;
  /** The last look's sizing, for `sizing` (what a trace or a dashboard reads). */
  last?: BroadcastSizing;
}

/** How a broadcast's sending was sized at the sender's last look at it. */
export interface BroadcastSizing {
  /** Unsettled requests allowed (in messages). */
  readonly window: number;
  /** The rate the window was sized for (the broadcast's, or the measured pace's). */
  readonly windowRate: number;
  /** Settled recipients per second over the last measurement; undefined before there is one. */
  readonly measuredPace: number | undefined;
  readonly transitSeconds: number;
  /** The median round trip of the recipients settled lately. */
  readonly roundTripSeconds: number | undefined;
  readonly tokens: number;
  readonly requested: number;
  /** Up to `PENDING_COUNT_CAP`. */
  readonly pending: number;
  /** Released at that look. */
  readonly released: number;
}

/** How often the recipients settled lately are counted: the window's pace needs no more than that. */
const PACE_COUNT_MS = 500;
/** A cancelled broadcast's pending recipients are marked `cancelled` this many a statement (tens of milliseconds). */
const CANCEL_CHUNK = 2_000;
/** Pending recipients are counted up to this many: a tick releases fewer, and the rest only need to exist. */
const PENDING_COUNT_CAP = 10_000;

/** The pace measured over this long sizes the window. */
const MEASURE_MS = 2_000;

/**
 * Sends the confirmed broadcasts: each tick, for every broadcast `sending`, requests the next pending
 * recipients' messages through the outbound path (the gateway's queue, its per-bot throttle and its
 * once-per-request-id ledger) at the broadcast's rate, with at most `windowSeconds` of it requested and
 * not yet settled, so a pause or a cancel takes effect within that window.
 *
 * Exactly once: a recipient is marked `requested` in the transaction that appends its message's
 * `MessageSendRequested` (request id: the broadcast and the member, `broadcastRequestId`), so a process
 * killed at any point leaves either both or neither; a restarted sender takes up the `pending` rows
 * (with `FOR UPDATE SKIP LOCKED`, so replicas share the work), and the gateway sends each request id
 * once. The gateway's outcome settles the row (`settleBroadcastRecipient`); once none is pending or
 * requested, the broadcast finishes with its report, and the report goes to the admin.
 */
@Injectable()
export class BroadcastSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BroadcastSender');
  private readonly allowances = new Map<string, Allowance>();
  /** The progress last put in each broadcast's progress message by this process, and when. */
  private readonly shown = new Map<string, { at: number; text: string }>();
  private readonly translate = notificationsTranslate();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly store: PostgresEventStore,
    private readonly broadcasts: BroadcastUseCases,
    @Inject(BROADCAST_SETTINGS) private readonly settings: BroadcastSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.settings.tickMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** One look at the active broadcasts (a tick still running is not overlapped). */
  tick(): void {
    if (this.stopped || this.ticking) return;
    this.ticking = this.work()
      .then(() => {
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (this.stopped || this.failing) return;
        this.failing = true;
        this.logger.warn(`broadcast sender: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.ticking = undefined;
      });
  }

  private async work(): Promise<void> {
    const active = await runSql<ActiveBroadcast>(
      this.orm.em.fork(),
      `SELECT broadcast_id, bot_id, admin_telegram_user_id::text, status, text, parse_mode, photo, buttons, rate_per_second::text, paid,
              progress_chat_id::text, progress_message_id::text
         FROM notifications.notification_broadcasts WHERE status IN ('sending', 'cancelled')`,
    );
    const seen = new Set(active.map((b) => b.broadcast_id));
    for (const id of this.allowances.keys()) if (!seen.has(id)) this.allowances.delete(id);
    for (const id of this.shown.keys()) if (!seen.has(id)) this.shown.delete(id);
    await Promise.all(active.map((broadcast) => this.serve(broadcast)));
  }

  private async serve(broadcast: ActiveBroadcast): Promise<void> {
    const id = broadcast.broadcast_id;
    // Only what is small is counted every tick: the requested (at most the window) and the pending up to a cap.
    const [counts] = await runSql<{ pending: number; requested: number }>(
      this.orm.em.fork(),
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM notifications.notification_broadcast_recipients
                                      WHERE broadcast_id = $1 AND state = 'pending' LIMIT $2) AS p)::integer AS pending,
              (SELECT count(*) FROM notifications.notification_broadcast_recipients WHERE broadcast_id = $1 AND state = 'requested')::integer AS requested`,
      [id, PENDING_COUNT_CAP],
    );
    if (broadcast.status === 'cancelled' && counts.pending > 0) {
      await this.cancelPending(id);
      return;
    }
    if (counts.requested === 0 && counts.pending === 0) {
      await this.broadcasts.finishIfDone(id, broadcast.bot_id, new Date(), (em, report) => this.sendReport(em, broadcast, report));
      return;
    }
    const now = performance.now();
    await this.showProgressEvery(broadcast, now);
    if (broadcast.status !== 'sending' || counts.pending === 0) return;
    const rate = Number(broadcast.rate_per_second);
    const allowance = this.allowances.get(id) ?? {
      tokens: 0,
      at: now,
      firstSettledAt: undefined,
      transitSeconds: 0,
      transitMeasuredAt: undefined,
      roundTripSeconds: undefined,
      pace: undefined,
    };
    // Tokens at the rate, at most a window's worth banked: a slow tick (a busy database) is made up for,
    // and the gateway's per-bot throttle smooths what leaves in one go.
    const cap = Math.max(1, rate * this.settings.windowSeconds);
    allowance.tokens = Math.min(cap, allowance.tokens + ((now - allowance.at) * rate) / 1000);
    allowance.at = now;
    this.allowances.set(id, allowance);
    if (allowance.transitMeasuredAt === undefined || now - allowance.transitMeasuredAt >= MEASURE_MS) await this.measureTransit(id, allowance, now);
    if (!allowance.pace || now - allowance.pace.at >= PACE_COUNT_MS) await this.measurePace(id, allowance, now);
    const windowRate = windowRateFor(rate, {
      measured: allowance.pace?.measured,
      requested: counts.requested,
      window: allowance.last?.window,
      roundTrip: allowance.roundTripSeconds,
      transit: allowance.transitSeconds,
      windowSeconds: this.settings.windowSeconds,
    });
    const window = Math.max(1, Math.ceil(windowRate * (this.settings.windowSeconds + allowance.transitSeconds)));
    const wanted = Math.min(Math.floor(allowance.tokens), window - counts.requested, counts.pending);
    const sizing = {
      window,
      windowRate,
      measuredPace: this.measuredPace(id),
      transitSeconds: allowance.transitSeconds,
      roundTripSeconds: allowance.roundTripSeconds,
      tokens: allowance.tokens,
      requested: counts.requested,
      pending: counts.pending,
    };
    allowance.last = { ...sizing, released: 0 };
    if (wanted <= 0) return;
    const released = await this.release(broadcast, wanted);
    allowance.tokens -= released;
    allowance.last = { ...sizing, released };
  }

  /** How the broadcast's sending was sized at this process's last look at it (undefined: not sending here). */
  sizing(broadcastId: string): BroadcastSizing | undefined {
    return this.allowances.get(broadcastId)?.last;
  }

  /**
   * The pace the outbound path keeps: recipients settled per second over the last `MEASURE_MS`, read by
   * when they were settled (an index: only the last seconds' rows; counted by state, every recipient
   * settled so far was read, 100,000 rows twice a second near a paid broadcast's end). Undefined until
   * a pace is measured, from the first settlement on, over half of `MEASURE_MS`: until then the window is
   * the rate's, and the token allowance paces the requests at the rate from the first one, so starting at
   * it queues no more than `windowSeconds` of it. (A slow start from a few messages a second, grown by a
   * quarter per measurement, took 5–10 s to reach a paid broadcast's 950/s, and seconds at the free 25/s.)
   */
  private async measurePace(broadcastId: string, allowance: Allowance, now: number): Promise<void> {
    const [row] = await runSql<{ settled: number }>(
      this.orm.em.fork(),
      `SELECT count(*)::integer AS settled FROM notifications.notification_broadcast_recipients
        WHERE broadcast_id = $1 AND settled_at > now() - make_interval(secs => $2)`,
      [broadcastId, MEASURE_MS / 1000],
    );
    const settled = row?.settled ?? 0;
    if (settled > 0) allowance.firstSettledAt ??= now;
    const since = allowance.firstSettledAt === undefined ? 0 : now - allowance.firstSettledAt;
    allowance.pace = { at: now, measured: since < MEASURE_MS / 2 ? undefined : (settled * 1000) / Math.min(MEASURE_MS, since) };
  }

  /**
   * The outbound path's round trip (request → the gateway's outcome settled here) when nothing waits: the
   * first quartile of the recipients settled in the last few seconds (the quickest alone is luck on a busy
   * machine). Without it the window, sized for
   * `windowSeconds` of sending, is smaller than what is merely on its way on a busy machine, and the
   * broadcast crawls at window ÷ round trip instead of its rate; with it, only `windowSeconds` of
   * sending waits in the gateway's queue (what still leaves after a pause or a cancel). The last quartile,
   * not the least over a while: on a loaded machine the relays' round trips grow with nothing queued in
   * the gateway, and a window sized by an older, quicker quartile held a paid broadcast to window ÷
   * round trip (594/s against 745/s for the last quartile, one after the other). Also the median round trip of those settled since the last measurement:
   * how long the typical request took, waiting included (`windowRateFor`); over so short a span, the
   * requests that waited out a stall upstream have left it a measurement after they settled.
   */
  private async measureTransit(broadcastId: string, allowance: Allowance, now: number): Promise<void> {
    allowance.transitMeasuredAt = now;
    const [row] = await runSql<{ quartile: string | null; median: string | null }>(
      this.orm.em.fork(),
      `SELECT extract(epoch FROM percentile_cont(0.25) WITHIN GROUP (ORDER BY settled_at - requested_at))::text AS quartile,
              extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY settled_at - requested_at)
                                 FILTER (WHERE settled_at > now() - make_interval(secs => $2)))::text AS median
         FROM notifications.notification_broadcast_recipients
        WHERE broadcast_id = $1 AND settled_at > now() - interval '5 seconds'`,
      [broadcastId, MEASURE_MS / 1000],
    );
    const seconds = (text: string | null | undefined) => {
      const value = text === null || text === undefined ? undefined : Number(text);
      // At most 5 s: a stalled gateway is not a reason to queue more.
      return value !== undefined && Number.isFinite(value) ? Math.min(5, Math.max(0, value)) : undefined;
    };
    const quartile = seconds(row?.quartile);
    allowance.roundTripSeconds = seconds(row?.median);
    if (quartile !== undefined) allowance.transitSeconds = quartile;
  }

  /**
   * Marks a cancelled broadcast's pending recipients `cancelled`, `CANCEL_CHUNK` a statement, each its own
   * short transaction (one for all of them held every relay on the cluster back for seconds). Nothing
   * pending is requested meanwhile: a release requests only for a broadcast still `sending`, and the
   * cancel waited for any release under way (its `FOR SHARE`).
   */
  private async cancelPending(broadcastId: string): Promise<void> {
    for (;;) {
      const [row] = await runSql<{ cancelled: number }>(
        this.orm.em.fork(),
        `WITH chunk AS (
           SELECT telegram_user_id FROM notifications.notification_broadcast_recipients
            WHERE broadcast_id = $1 AND state = 'pending' ORDER BY telegram_user_id LIMIT $2 FOR UPDATE SKIP LOCKED
         ), done AS (
           UPDATE notifications.notification_broadcast_recipients r SET state = 'cancelled'
             FROM chunk WHERE r.broadcast_id = $1 AND r.telegram_user_id = chunk.telegram_user_id AND r.state = 'pending'
           RETURNING 1
         )
         SELECT count(*)::integer AS cancelled FROM done`,
        [broadcastId, CANCEL_CHUNK],
      );
      if (this.stopped || (row?.cancelled ?? 0) < CANCEL_CHUNK) return;
    }
  }

  /** Requests up to `count` pending recipients' messages, in one transaction; how many were. */
  private release(broadcast: ActiveBroadcast, count: number): Promise<number> {
    const id = broadcast.broadcast_id;
    return this.store.transaction(async (em) => {
      // A pause or a cancel committed before this is seen; one committing meanwhile waits for this.
      const [current] = await runSql<{ status: string }>(em, 'SELECT status FROM notifications.notification_broadcasts WHERE broadcast_id = $1 FOR SHARE', [
        id,
      ]);
      if (current?.status !== 'sending') return 0;
      const rows = await runSql<{ telegram_user_id: string; request_id: string }>(
        em,
        `SELECT telegram_user_id::text, request_id FROM notifications.notification_broadcast_recipients
          WHERE broadcast_id = $1 AND state = 'pending' ORDER BY telegram_user_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [id, count],
      );
      if (!rows.length) return 0;
      const now = new Date();
      // Every member's message in one statement: a release of hundreds is one round trip, not hundreds.
      const options: RequestOptions = {
        parseMode: broadcast.parse_mode,
        photo: broadcast.photo,
        buttons: broadcast.buttons.map((b) => [{ text: b.text, url: b.url }]),
        paid: broadcast.paid,
      };
      await this.store.appendToNewStreams(
        rows.map((row) => messageRequest(broadcast, Number(row.telegram_user_id), row.request_id, broadcast.text, now, options)),
        { em },
      );
      await runSql(
        em,
        "UPDATE notifications.notification_broadcast_recipients SET state = 'requested', requested_at = $3 WHERE broadcast_id = $1 AND telegram_user_id = ANY($2::bigint[])",
        [id, rows.map((r) => r.telegram_user_id), now],
      );
      return rows.length;
    });
  }

  /** One message into the outbound path, in `em`'s transaction: its stream must be new (one request id, one message). */
  private async request(
    em: EntityManager,
    broadcast: ActiveBroadcast,
    chatId: number,
    requestId: string,
    text: string,
    now: Date,
    options: RequestOptions = {},
  ): Promise<void> {
    const { streamId, events, context } = messageRequest(broadcast, chatId, requestId, text, now, options);
    await this.store.append(streamId, 'no_stream', events, context, { em });
  }

  /**
   * Edits the admin's progress message on a timer while the broadcast runs: once `progressEveryMs` passed
   * since the last edit, and only when it reads differently (Telegram refuses an edit that changes
   * nothing, and edits of one chat count against its limits). The first look only notes the time: the
   * admin's press that confirmed has just shown it.
   */
  private async showProgressEvery(broadcast: ActiveBroadcast, now: number): Promise<void> {
    if (!broadcast.progress_message_id || !broadcast.progress_chat_id) return;
    const last = this.shown.get(broadcast.broadcast_id);
    if (!last) {
      this.shown.set(broadcast.broadcast_id, { at: now, text: '' });
      return;
    }
    if (now - last.at < this.settings.progressEveryMs) return;
    // The ETA at the pace measured lately when it is slower than the rate (a busy gateway, the bot's other traffic).
    const rate = Number(broadcast.rate_per_second);
    const pace = this.measuredPace(broadcast.broadcast_id);
    await this.store.transaction(async (em) => {
      const progress = await progressOf(em, {
        broadcastId: broadcast.broadcast_id,
        status: broadcast.status,
        ratePerSecond: pace ? Math.min(rate, pace) : rate,
      });
      await this.editProgress(em, broadcast, progress, now);
    });
  }

  /** Recipients settled per second lately (`measurePace`); undefined before there is a pace. */
  private measuredPace(broadcastId: string): number | undefined {
    const pace = this.allowances.get(broadcastId)?.pace?.measured;
    return pace && pace > 0 ? pace : undefined;
  }

  /** The progress message edited to `progress`, in `em`'s transaction (nothing when it reads the same as last time). */
  private async editProgress(em: EntityManager, broadcast: ActiveBroadcast, progress: BroadcastProgress, now = performance.now()): Promise<void> {
    if (!broadcast.progress_message_id || !broadcast.progress_chat_id) return;
    const language = await this.adminLanguage(em, broadcast);
    const t = (key: string, variables?: Readonly<Record<string, string | number>>) => this.translate(language, key, variables);
    const text = progressText(t, progress);
    const last = this.shown.get(broadcast.broadcast_id);
    this.shown.set(broadcast.broadcast_id, { at: now, text });
    if (last?.text === text) return;
    const buttons = progressButtons(t, progress, broadcast.broadcast_id);
    await this.request(em, broadcast, Number(broadcast.progress_chat_id), randomUUID(), text, new Date(), {
      buttons: buttons.length ? [buttons] : [],
      editMessageId: Number(broadcast.progress_message_id),
    });
  }

  private async adminLanguage(em: EntityManager, broadcast: ActiveBroadcast): Promise<'en' | 'ru'> {
    const [admin] = await runSql<{ language: string | null }>(
      em,
      'SELECT coalesce(language_override, language_code) AS language FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2',
      [broadcast.bot_id, broadcast.admin_telegram_user_id],
    );
    return admin?.language?.startsWith('ru') ? 'ru' : 'en';
  }

  /**
   * The finished broadcast's report to the admin who sent it, in their language, and its progress message
   * shown finished, in the finishing transaction.
   */
  private async sendReport(em: EntityManager, broadcast: ActiveBroadcast, report: BroadcastReport): Promise<void> {
    const language = await this.adminLanguage(em, broadcast);
    const text = this.translate(language, 'broadcast-report', { ...report, cancelledNote: report.cancelled > 0 ? 'yes' : 'no' });
    const adminChat = Number(broadcast.admin_telegram_user_id);
    await this.request(em, broadcast, adminChat, broadcastRequestId(broadcast.broadcast_id, 'report'), text, new Date());
    const total = report.sent + report.failed + report.blocked + report.skipped + report.cancelled;
    await this.editProgress(em, broadcast, { status: 'finished', total, ...report, remaining: 0, etaSeconds: 0 });
  }
}

/** One message into the outbound path: its stream (new: one request id, one message), its event and context. */
function messageRequest(
  broadcast: ActiveBroadcast,
  chatId: number,
  requestId: string,
  text: string,
  now: Date,
  options: RequestOptions,
): { streamId: string; events: MessageSendRequested[]; context: EventContext } {
  const event: MessageSendRequested = {
    type: 'MessageSendRequested',
    data: {
      requestId,
      botId: broadcast.bot_id,
      chatId,
      text,
      ...(options.parseMode ? { parseMode: options.parseMode } : {}),
      buttons: options.buttons ?? [],
      disableNotification: false,
      ...(options.paid ? { allowPaidBroadcast: true } : {}),
      ...(options.photo ? { photo: options.photo } : {}),
      ...(options.editMessageId ? { editMessageId: options.editMessageId } : {}),
      purpose: options.editMessageId ? 'notifications:broadcast-progress' : 'notifications:broadcast',
      requestedAt: now.toISOString(),
    },
  };
  const context: EventContext = {
    botId: broadcast.bot_id,
    correlationId: requestId,
    causationId: null,
    actor: { kind: 'service', id: 'notifications' },
    occurredAt: now,
  };
  return { streamId: outboundStreamId(requestId), events: [event], context };
}
