import { CallbackData } from '@botplatform/bot-kit';
import type { BroadcastProgress } from './broadcasts.use-case.js';

/** Buttons: `bc:a:<id>:<audience>[:<arg>]`, `bc:ok:<id>`, `bc:p|r|x|f:<id>` (pause, resume, cancel, refresh). */
export const broadcastButtons = new CallbackData('bc');

/** A text of the service in one language (the feature's `ctx.t`, or the translate bound to the admin's language). */
type Texts = (key: string, variables?: Readonly<Record<string, string | number>>) => string;

/**
 * The progress message: sent, failed, blocked, skipped, remaining and the ETA. The same text whether a
 * button press edits it (`BroadcastFeature`) or the sender's timer does (`BroadcastSender`).
 */
export function progressText(t: Texts, p: BroadcastProgress): string {
  return t('broadcast-progress', {
    status: t(`broadcast-status-${p.status}`),
    sent: p.sent,
    failed: p.failed,
    blocked: p.blocked,
    skipped: p.skipped,
    remaining: p.remaining,
    eta: formatEta(p.etaSeconds),
  });
}

/** The progress message's buttons for the broadcast's status, in one row; none once it is finished. */
export function progressButtons(t: Texts, p: BroadcastProgress, id: string): { text: string; callbackData: string }[] {
  if (p.status === 'finished') return [];
  const row = [{ text: t('broadcast-button-refresh'), callbackData: broadcastButtons.encode('f', id) }];
  if (p.status === 'sending') row.push({ text: t('broadcast-button-pause'), callbackData: broadcastButtons.encode('p', id) });
  if (p.status === 'paused') row.push({ text: t('broadcast-button-resume'), callbackData: broadcastButtons.encode('r', id) });
  if (p.status === 'sending' || p.status === 'paused') row.push({ text: t('broadcast-button-cancel'), callbackData: broadcastButtons.encode('x', id) });
  return row;
}

/** 75 → "1:15", 3_725 → "1:02:05": the ETA as a clock reads. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours}:${two(minutes)}:${two(s % 60)}` : `${minutes}:${two(s % 60)}`;
}
