const TOKEN = /^[a-z][a-z0-9_]*$/;
const CONSUMER = /^[a-z][a-z0-9_]*--[a-z][a-z0-9_-]*$/;

/**
 * Stream and subject names on the bus. A namespace (empty in production) prefixes every subject and
 * stream, so test runs and side-by-side deployments on one NATS server never share a stream.
 *
 * - events of service `users` go to subjects `[ns.]users.<aggregate>.<event>.v<N>`, captured by the
 *   stream `[NS_]USERS`;
 * - dead letters of consumer `notifications--recipients` go to `[ns.]dead.notifications--recipients`,
 *   captured by `[NS_]DEAD_LETTERS`.
 */
export class BusNaming {
  constructor(readonly namespace = '') {
    if (namespace && !TOKEN.test(namespace)) throw new Error(`invalid bus namespace: ${namespace}`);
  }

  streamOf(service: string): string {
    assertToken('service', service);
    return this.prefixStream(service.toUpperCase());
  }

  serviceSubjects(service: string): string {
    assertToken('service', service);
    return this.prefixSubject(`${service}.>`);
  }

  /** The wire subject of a public event subject such as `users.user.registered.v1`. */
  wireSubject(publicSubject: string): string {
    return this.prefixSubject(publicSubject);
  }

  /** The public event subject of a wire subject (the namespace removed). */
  publicSubject(wireSubject: string): string {
    const prefix = this.namespace ? `${this.namespace}.` : '';
    return wireSubject.startsWith(prefix) ? wireSubject.slice(prefix.length) : wireSubject;
  }

  get deadLetterStream(): string {
    return this.prefixStream('DEAD_LETTERS');
  }

  get deadLetterSubjects(): string {
    return this.prefixSubject('dead.>');
  }

  deadLetterSubject(consumer: string): string {
    return this.prefixSubject(`dead.${consumer}`);
  }

  private prefixStream(name: string): string {
    return this.namespace ? `${this.namespace.toUpperCase()}_${name}` : name;
  }

  private prefixSubject(subject: string): string {
    return this.namespace ? `${this.namespace}.${subject}` : subject;
  }
}

/** Durable consumer names read `<consumer-service>--<purpose>`, e.g. `notifications--recipients`. */
export function assertConsumerName(name: string): void {
  if (!CONSUMER.test(name)) {
    throw new Error(`consumer name "${name}" must read <consumer-service>--<purpose>, lower-case`);
  }
}

function assertToken(what: string, value: string): void {
  if (!TOKEN.test(value)) throw new Error(`invalid ${what} name: ${value}`);
}
