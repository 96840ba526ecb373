import { CommandHandler, PostgresEventStore, type RecordedEvent, runSql } from '@botplatform/event-store';
import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { audienceFilter, UNREACHABLE } from './broadcast-audience.js';
import { broadcastRequestId } from './broadcast-request-id.js';
import { BROADCAST_SETTINGS, type BroadcastSettings, PAID_BROADCAST_TENTHS_OF_STAR_PER_MESSAGE } from './broadcast-settings.js';
import {
  type BroadcastAudience,
  type BroadcastButton,
  type BroadcastCommand,
  type BroadcastEvent,
  type BroadcastParseMode,
  type BroadcastProgressMessage,
  type BroadcastReport,
  type BroadcastState,
  type BroadcastStatus,
  broadcastDecider,
  broadcastStreamId,
} from './broadcast.decider.js';
import { BroadcastError } from './broadcast.errors.js';
import { projectBroadcast } from './broadcast.projection.js';

/**
 * Who acts on a broadcast: an admin or the owner of its bot. Checked here from the audience projection's
 * role, or from `gatewayRole`: the role the gateway read from the users service for the update being
 * answered (a bot screen's `ctx.isAdmin`), which is ahead of the projection right after a promotion.
 */
export interface BroadcastActor {
  readonly botId: string;
  readonly telegramUserId: number;
  readonly gatewayRole?: 'admin' | 'owner';
}

/** A broadcast as the admin sees it. */
export interface BroadcastView {
  readonly broadcastId: string;
  readonly botId: string;
  readonly adminTelegramUserId: number;
  readonly status: Exclude<BroadcastStatus, 'none'>;
  readonly text: string;
  readonly parseMode?: BroadcastParseMode;
  readonly photo?: string;
  readonly buttons: BroadcastButton[];
  readonly audience?: BroadcastAudience;
  readonly audienceSize?: number;
  readonly ratePerSecond?: number;
  readonly paid: boolean;
  readonly report?: BroadcastReport;
}

/** Where a broadcast is: counts by recipient state, and what is left at its rate. */
export interface BroadcastProgress {
  readonly status: Exclude<BroadcastStatus, 'none'>;
  readonly total: number;
  readonly sent: number;
  readonly failed: number;
  readonly blocked: number;
  readonly skipped: number;
  readonly cancelled: number;
  /** Not sent yet: waiting, or requested and not settled by the gateway. */
  readonly remaining: number;
  /** Seconds until done at the broadcast's rate (0 when nothing remains). */
  readonly etaSeconds: number;
}

/** What confirming would do: how many it reaches, how many are skipped, and what a paid one costs. */
export interface BroadcastPreview {
  readonly reach: number;
  readonly skipped: number;
  readonly paid: boolean;
  readonly ratePerSecond: number;
  /** Stars, in tenths (0.1 Star per message of a paid broadcast); 0 for a free one. */
  readonly costTenthsOfStar: number;
  readonly etaSeconds: number;
}

interface BroadcastRow {
  broadcast_id: string;
  bot_id: string;
  admin_telegram_user_id: string;
  status: Exclude<BroadcastStatus, 'none'>;
  text: string;
  parse_mode: BroadcastParseMode | null;
  photo: string | null;
  buttons: BroadcastButton[];
  audience: BroadcastAudience | null;
  audience_size: number | null;
  rate_per_second: string | null;
  paid: boolean;
  report: BroadcastReport | null;
}

/**
 * The broadcast's use cases: every command runs in one transaction holding the broadcast's stream lock,
 * with the read model (and, on confirmation, the recipients) written in it, so a confirmation is the
 * recipients' materialisation, whole or not at all, and two presses of a button are one after the other.
 */
@Injectable()
export class BroadcastUseCases {
  private readonly commands: CommandHandler<BroadcastState, BroadcastCommand, BroadcastEvent>;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly orm: MikroORM,
    @Inject(BROADCAST_SETTINGS) private readonly settings: BroadcastSettings,
  ) {
    this.commands = new CommandHandler(store, broadcastDecider);
  }

  async draft(
    actor: BroadcastActor,
    content: { text: string; parseMode?: BroadcastParseMode; photo?: string; buttons?: readonly BroadcastButton[] },
    now = new Date(),
  ): Promise<string> {
    await this.requireAdmin(actor);
    const broadcastId = randomUUID();
    await this.run(actor, broadcastId, {
      type: 'DraftBroadcast',
      broadcastId,
      botId: actor.botId,
      adminTelegramUserId: actor.telegramUserId,
      text: content.text,
      ...(content.parseMode ? { parseMode: content.parseMode } : {}),
      ...(content.photo !== undefined ? { photo: content.photo } : {}),
      buttons: content.buttons ?? [],
      now: now.toISOString(),
    });
    return broadcastId;
  }

  async chooseAudience(actor: BroadcastActor, broadcastId: string, audience: BroadcastAudience, now = new Date()): Promise<BroadcastPreview> {
    await this.view(actor, broadcastId);
    await this.run(actor, broadcastId, { type: 'ChooseBroadcastAudience', audience, now: now.toISOString() });
    return this.preview(actor, broadcastId, now);
  }

  /** How many the chosen audience reaches now, and what sending costs; nothing is written. */
  async preview(actor: BroadcastActor, broadcastId: string, now = new Date()): Promise<BroadcastPreview> {
    const broadcast = await this.view(actor, broadcastId);
    if (!broadcast.audience) throw new BroadcastError('NOTIFICATIONS.BROADCAST_NO_AUDIENCE', 'choose an audience first');
    const filter = audienceFilter(broadcast.audience, now, 2);
    const [counts] = await runSql<{ reach: number; skipped: number }>(
      this.orm.em.fork(),
      `SELECT count(*) FILTER (WHERE NOT ${UNREACHABLE})::integer AS reach, count(*) FILTER (WHERE ${UNREACHABLE})::integer AS skipped
         FROM notifications.notification_recipients r WHERE r.bot_id = $1 AND ${filter.sql}`,
      [actor.botId, ...filter.params],
    );
    const paid = await this.paidBroadcasts(this.orm.em.fork(), actor.botId);
    const ratePerSecond = paid ? this.settings.paidRatePerSecond : this.settings.ratePerSecond;
    return {
      reach: counts.reach,
      skipped: counts.skipped,
      paid,
      ratePerSecond,
      costTenthsOfStar: paid ? counts.reach * PAID_BROADCAST_TENTHS_OF_STAR_PER_MESSAGE : 0,
      etaSeconds: Math.ceil(counts.reach / ratePerSecond),
    };
  }

  /**
   * Confirms: the audience is taken again and materialised (one recipient row per member, `pending`, or
   * `skipped` for one who blocked the bot) in the transaction that records the confirmation.
   * `progressMessage`, when given, is the admin's message the sender keeps the progress in.
   */
  async confirm(actor: BroadcastActor, broadcastId: string, now = new Date(), progressMessage?: BroadcastProgressMessage): Promise<BroadcastPreview> {
    await this.view(actor, broadcastId);
    let preview: BroadcastPreview | undefined;
    await this.run(actor, broadcastId, { type: 'ConfirmBroadcast' }, async (em) => {
      const paid = await this.paidBroadcasts(em, actor.botId);
      const ratePerSecond = paid ? this.settings.paidRatePerSecond : this.settings.ratePerSecond;
      // Read under the stream's lock: a broadcast confirmed meanwhile is left to the decider to refuse, nothing materialised.
      const [current] = await runSql<{ status: string; audience: BroadcastAudience | null }>(
        em,
        'SELECT status, audience FROM notifications.notification_broadcasts WHERE broadcast_id = $1',
        [broadcastId],
      );
      const refused = { audienceSize: 0, skipped: 0, ratePerSecond, paid, maxRatePerSecond: 0, now: now.toISOString() };
      if (current?.status !== 'draft' || !current.audience) return refused;
      const filter = audienceFilter(current.audience, now, 2);
      const rows = await runSql<{ telegram_user_id: string; unreachable: boolean }>(
        em,
        `SELECT r.telegram_user_id::text, ${UNREACHABLE} AS unreachable FROM notifications.notification_recipients r
          WHERE r.bot_id = $1 AND ${filter.sql}`,
        [actor.botId, ...filter.params],
      );
      await runSql(
        em,
        `INSERT INTO notifications.notification_broadcast_recipients (broadcast_id, telegram_user_id, request_id, state)
         SELECT $1, unnest($2::bigint[]), unnest($3::uuid[]), unnest($4::text[])`,
        [
          broadcastId,
          rows.map((r) => r.telegram_user_id),
          rows.map((r) => broadcastRequestId(broadcastId, r.telegram_user_id)),
          rows.map((r) => (r.unreachable ? 'skipped' : 'pending')),
        ],
      );
      const skipped = rows.filter((r) => r.unreachable).length;
      preview = {
        reach: rows.length - skipped,
        skipped,
        paid,
        ratePerSecond,
        costTenthsOfStar: paid ? (rows.length - skipped) * PAID_BROADCAST_TENTHS_OF_STAR_PER_MESSAGE : 0,
        etaSeconds: Math.ceil((rows.length - skipped) / ratePerSecond),
      };
      return {
        audienceSize: rows.length,
        skipped,
        ratePerSecond,
        paid,
        maxRatePerSecond: paid ? this.settings.paidMaxRatePerSecond : this.settings.maxRatePerSecond,
        ...(progressMessage ? { progressMessage } : {}),
        now: now.toISOString(),
      };
    });
    return preview!;
  }

  async pause(actor: BroadcastActor, broadcastId: string, now = new Date()): Promise<void> {
    await this.view(actor, broadcastId);
    await this.run(actor, broadcastId, { type: 'PauseBroadcast', now: now.toISOString() });
  }

  async resume(actor: BroadcastActor, broadcastId: string, now = new Date()): Promise<void> {
    await this.view(actor, broadcastId);
    await this.run(actor, broadcastId, { type: 'ResumeBroadcast', now: now.toISOString() });
  }

  async cancel(actor: BroadcastActor, broadcastId: string, now = new Date()): Promise<void> {
    await this.view(actor, broadcastId);
    await this.run(actor, broadcastId, { type: 'CancelBroadcast', now: now.toISOString() });
  }

  /** The broadcast of the actor's bot, for an admin of it. */
  async view(actor: BroadcastActor, broadcastId: string): Promise<BroadcastView> {
    await this.requireAdmin(actor);
    const broadcast = await this.find(this.orm.em.fork(), broadcastId);
    if (!broadcast || broadcast.botId !== actor.botId)
      throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_FOUND', `no broadcast ${broadcastId} for this bot`);
    return broadcast;
  }

  async progress(actor: BroadcastActor, broadcastId: string): Promise<BroadcastProgress> {
    const broadcast = await this.view(actor, broadcastId);
    return progressOf(this.orm.em.fork(), broadcast);
  }

  /** Finishes a broadcast whose every recipient is settled (the sender's call), with the report counted from them. */
  async finishIfDone(
    broadcastId: string,
    botId: string,
    now = new Date(),
    onFinished?: (em: EntityManager, report: BroadcastReport) => Promise<void>,
  ): Promise<BroadcastReport | undefined> {
    let report: BroadcastReport | undefined;
    const finished = async (em: EntityManager, events: readonly RecordedEvent<BroadcastEvent>[]) => {
      if (report && events.length && onFinished) await onFinished(em, report);
    };
    await this.run(
      { botId, telegramUserId: 0 },
      broadcastId,
      { type: 'FinishBroadcast' },
      async (em) => {
        const counts = await countStates(em, broadcastId);
        if ((counts.pending ?? 0) > 0 || (counts.requested ?? 0) > 0) return undefined;
        report = {
          sent: counts.sent ?? 0,
          failed: counts.failed ?? 0,
          blocked: counts.blocked ?? 0,
          skipped: counts.skipped ?? 0,
          cancelled: counts.cancelled ?? 0,
        };
        return { report, now: now.toISOString() };
      },
      finished,
    );
    return report;
  }

  /** The bot opted in to paid broadcasts (`paid_broadcasts`, followed from the users service's settings), and the service honours it. */
  private async paidBroadcasts(em: EntityManager, botId: string): Promise<boolean> {
    if (!this.settings.paidBroadcasts) return false;
    const [bot] = await runSql<{ paid_broadcasts: boolean | null }>(em, 'SELECT paid_broadcasts FROM notifications.notification_bots WHERE bot_id = $1', [
      botId,
    ]);
    return bot?.paid_broadcasts ?? false;
  }

  private async requireAdmin(actor: BroadcastActor): Promise<void> {
    if (actor.gatewayRole === 'admin' || actor.gatewayRole === 'owner') return;
    const [member] = await runSql<{ role: string }>(
      this.orm.em.fork(),
      'SELECT role FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2',
      [actor.botId, actor.telegramUserId],
    );
    if (member?.role !== 'admin' && member?.role !== 'owner') {
      throw new BroadcastError('NOTIFICATIONS.BROADCAST_FORBIDDEN', 'broadcasts are for the bot’s admins');
    }
  }

  private async find(em: EntityManager, broadcastId: string): Promise<BroadcastView | undefined> {
    const [row] = await runSql<BroadcastRow>(em, 'SELECT *, admin_telegram_user_id::text FROM notifications.notification_broadcasts WHERE broadcast_id = $1', [
      broadcastId,
    ]);
    return row && toView(row);
  }

  /**
   * One command in one transaction holding the stream's lock; `complete` (run in it first) fills in what
   * the command needs from the database, or returns `undefined` to decide nothing.
   */
  private async run<C extends BroadcastCommand>(
    actor: BroadcastActor,
    broadcastId: string,
    command: C | Pick<C, 'type'>,
    complete?: (em: EntityManager) => Promise<Omit<C, 'type'> | undefined>,
    after?: (em: EntityManager, events: readonly RecordedEvent<BroadcastEvent>[]) => Promise<void>,
  ): Promise<readonly RecordedEvent<BroadcastEvent>[]> {
    const streamId = broadcastStreamId(broadcastId);
    return this.store.transaction(async (em) => {
      await this.store.lockStream(streamId, { em });
      let full = command as C;
      if (complete) {
        const rest = await complete(em);
        if (!rest) return [];
        full = { ...rest, type: command.type } as C;
      }
      const now = new Date();
      const result = await this.commands.handle(
        streamId,
        full,
        {
          botId: actor.botId,
          correlationId: broadcastId,
          causationId: null,
          actor: actor.telegramUserId ? { kind: 'admin', id: String(actor.telegramUserId) } : { kind: 'service', id: 'notifications' },
          occurredAt: now,
        },
        { em },
      );
      await projectBroadcast(em, result.newEvents);
      await after?.(em, result.newEvents);
      return result.newEvents;
    });
  }
}

export async function countStates(em: EntityManager, broadcastId: string): Promise<Record<string, number>> {
  const rows = await runSql<{ state: string; count: number }>(
    em,
    'SELECT state, count(*)::integer AS count FROM notifications.notification_broadcast_recipients WHERE broadcast_id = $1 GROUP BY state',
    [broadcastId],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.count]));
}

export async function progressOf(em: EntityManager, broadcast: Pick<BroadcastView, 'broadcastId' | 'status' | 'ratePerSecond'>): Promise<BroadcastProgress> {
  const counts = await countStates(em, broadcast.broadcastId);
  // A cancelled broadcast's pending recipients are not sent: the sender marks them so in chunks.
  const cancelledPending = broadcast.status === 'cancelled' ? (counts.pending ?? 0) : 0;
  const remaining = (counts.pending ?? 0) - cancelledPending + (counts.requested ?? 0);
  return {
    status: broadcast.status,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    sent: counts.sent ?? 0,
    failed: counts.failed ?? 0,
    blocked: counts.blocked ?? 0,
    skipped: counts.skipped ?? 0,
    cancelled: (counts.cancelled ?? 0) + cancelledPending,
    remaining,
    etaSeconds: broadcast.ratePerSecond ? Math.ceil(remaining / broadcast.ratePerSecond) : 0,
  };
}

function toView(row: BroadcastRow): BroadcastView {
  return {
    broadcastId: row.broadcast_id,
    botId: row.bot_id,
    adminTelegramUserId: Number(row.admin_telegram_user_id),
    status: row.status,
    text: row.text,
    ...(row.parse_mode ? { parseMode: row.parse_mode } : {}),
    ...(row.photo !== null ? { photo: row.photo } : {}),
    buttons: row.buttons,
    ...(row.audience ? { audience: row.audience } : {}),
    ...(row.audience_size !== null ? { audienceSize: row.audience_size } : {}),
    ...(row.rate_per_second !== null ? { ratePerSecond: Number(row.rate_per_second) } : {}),
    paid: row.paid,
    ...(row.report ? { report: row.report } : {}),
  };
}
