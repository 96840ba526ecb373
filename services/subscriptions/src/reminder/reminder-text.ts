/** What a reminder says, in the member's language. */
export interface ReminderText {
  readonly planName: string;
  readonly trial: boolean;
  /** Whole days left until the end. */
  readonly daysLeft: number;
  readonly endsAt: string;
}

/** The languages reminders are written in; any other is answered in English. */
export type ReminderLanguage = 'en' | 'ru';

export const reminderLanguageOf = (code: string | undefined): ReminderLanguage => (code?.toLowerCase().startsWith('ru') ? 'ru' : 'en');

// "2026-12-01 19:30 UTC": the bot's time zone is the users service's; UTC says which clock it is.
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** 1 день, 2 дня, 5 дней, 11 дней, 21 день. */
function ruDays(n: number): string {
  const last = n % 10;
  const lastTwo = n % 100;
  if (last === 1 && lastTwo !== 11) return `${n} день`;
  if (last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14)) return `${n} дня`;
  return `${n} дней`;
}

/**
 * The reminder's message. Kept beside the reminder rather than in the bot screens' locale files: it is
 * sent through notifications, not answered to an update.
 */
export function reminderText(language: ReminderLanguage, text: ReminderText): string {
  if (language === 'ru') {
    const what = text.trial ? `Пробный период «${text.planName}»` : `Подписка «${text.planName}»`;
    return `${what} заканчивается через ${ruDays(text.daysLeft)}: ${when(text.endsAt)}. Продлить: /plans`;
  }
  const what = text.trial ? `Your trial "${text.planName}"` : `Your subscription "${text.planName}"`;
  return `${what} ends in ${text.daysLeft} ${text.daysLeft === 1 ? 'day' : 'days'}, on ${when(text.endsAt)}. To extend it: /plans`;
}
