import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { BusNaming } from '../bus-naming.js';
import type { DeadLetter } from '../event-bus.js';

/** Reads a consumer's dead letters from the dead-letter stream with an ephemeral ordered consumer; ids are stream sequences. */
export async function readDeadLetters(js: JetStreamClient, naming: BusNaming, consumer: string): Promise<DeadLetter[]> {
  const subject = naming.deadLetterSubject(consumer);
  const reader = await js.consumers.get(naming.deadLetterStream, {
    // A single subject as a string: nats-server before 2.10 knows only `filter_subject`.
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.All,
  });
  const letters: DeadLetter[] = [];
  for (;;) {
    const message = await reader.next({ expires: 1_000 });
    if (!message) break;
    const h = message.headers;
    letters.push({
      id: String(message.seq),
      consumer,
      subject: h?.get('Bp-Dead-Subject') ?? '',
      eventId: h?.get('Bp-Dead-Event-Id') || null,
      attempts: Number(h?.get('Bp-Dead-Attempts') ?? 0),
      reason: h?.get('Bp-Dead-Reason') ?? '',
      data: message.data,
      deadAt: new Date(message.info.timestampNanos / 1e6),
    });
    if (message.info.pending === 0) break;
  }
  return letters;
}
