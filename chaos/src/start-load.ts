import type { SandboxBot, SandboxChat, SandboxUser, TelegramSandbox } from '@botplatform/telegram-sandbox';
import type { Message } from 'grammy/types';
import { sleep } from '@botplatform/testing';

/** One `/start` of one new user, and when the bot first answered it (greeted them, not an error). */
export interface SentStart {
  readonly user: SandboxUser;
  readonly chat: SandboxChat;
  readonly sentAt: number;
  answeredAt?: number;
}

const ANSWER_POLL_MS = 100;

/** The `/start` greeting names the bot; the error boundary's polite replies do not, and are no answer. */
export function isGreetingOf(botName: string): (message: Message) => boolean {
  // Fluent wraps placeables in Unicode isolation marks.
  return (message) => (message.text ?? '').replace(/[\u2068\u2069]/g, '').includes(botName);
}

/**
 * Load through the sandbox, as Telegram would deliver it: each `/start` comes from a user the bot has
 * never seen, who sends it once. A start counts as answered once the bot greeted its user; answers
 * are noticed by polling the chats (every 100 ms), which bounds the precision of every recovery time.
 */
export class StartLoad {
  readonly sent: SentStart[] = [];
  private readonly unanswered = new Set<SentStart>();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly sandbox: TelegramSandbox,
    private readonly bot: SandboxBot,
    private readonly label: string,
    private readonly isAnswer: (message: Message) => boolean,
  ) {
    this.ticker = setInterval(() => this.noticeAnswers(), ANSWER_POLL_MS);
  }

  sendOne(): SentStart {
    const user = this.sandbox.createUser({ firstName: `${this.label} ${this.sent.length + 1}`, languageCode: 'en' });
    const chat = this.sandbox.chat(user, this.bot);
    const start: SentStart = { user, chat, sentAt: Date.now() };
    chat.sendCommand('start');
    this.sent.push(start);
    this.unanswered.add(start);
    return start;
  }

  /** `count` starts at `perSecond`, evenly spaced, until done or `stopped()` says so. */
  async pace(count: number, perSecond: number, stopped: () => boolean = () => false): Promise<void> {
    const began = Date.now();
    for (let i = 0; i < count && !stopped(); i++) {
      const due = began + (i * 1_000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      this.sendOne();
    }
  }

  get answeredCount(): number {
    return this.sent.length - this.unanswered.size;
  }

  /** How long after `moment` the system answered again: the first answer to a start sent at or after it. */
  firstAnswerAfter(moment: number): number | undefined {
    let first: number | undefined;
    for (const start of this.sent) {
      if (start.sentAt >= moment && start.answeredAt !== undefined && (first === undefined || start.answeredAt < first)) first = start.answeredAt;
    }
    return first === undefined ? undefined : first - moment;
  }

  /** Waits until every start is answered, or the deadline passes. */
  async waitAllAnswered(deadline: number): Promise<boolean> {
    while (this.unanswered.size > 0 && Date.now() < deadline) await sleep(ANSWER_POLL_MS);
    this.noticeAnswers();
    return this.unanswered.size === 0;
  }

  /** Users whose one /start got more than one message from the bot (of any kind). */
  doubledUsers(): SentStart[] {
    return this.sent.filter((start) => start.chat.botMessages().length > 1);
  }

  /** Users who got something from the bot other than the answer (an error reply). */
  otherwiseRepliedUsers(): SentStart[] {
    return this.sent.filter((start) => start.chat.botMessages().some((message) => !this.isAnswer(message)));
  }

  stop(): void {
    clearInterval(this.ticker);
    this.noticeAnswers();
  }

  private noticeAnswers(): void {
    const now = Date.now();
    for (const start of this.unanswered) {
      if (!start.chat.botMessages().some(this.isAnswer)) continue;
      start.answeredAt = now;
      this.unanswered.delete(start);
    }
  }
}
