import { JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BusNaming } from '../bus-naming.js';

/**
 * Creates the streams the bus needs, or checks they are there. Both sides call it, because a consumer
 * may start before its producer ever ran.
 */
export class JetStreamStreams {
  private readonly ensured = new Set<string>();

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly naming: BusNaming,
    private readonly duplicateWindowMs: number,
  ) {}

  ensureServiceStream(service: string): Promise<void> {
    return this.ensure({ name: this.naming.streamOf(service), subjects: [this.naming.serviceSubjects(service)] });
  }

  ensureDeadLetterStream(): Promise<void> {
    return this.ensure({ name: this.naming.deadLetterStream, subjects: [this.naming.deadLetterSubjects] });
  }

  private async ensure(config: Pick<StreamConfig, 'name' | 'subjects'>): Promise<void> {
    if (this.ensured.has(config.name)) return;
    try {
      await this.jsm.streams.info(config.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
      // File storage: the events survive a broker restart.
      await this.jsm.streams.add({
        ...config,
        storage: StorageType.File,
        duplicate_window: nanos(this.duplicateWindowMs),
      });
    }
    this.ensured.add(config.name);
  }
}
