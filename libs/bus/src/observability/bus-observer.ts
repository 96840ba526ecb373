/** The outcome code of one request: `ok`, or the code of the error answered (`USERS.NOT_A_MEMBER`, `INTERNAL`…). */
export type RpcResultCode = string;

/**
 * What the bus tells about its work, for metrics (service-kit implements it with prom-client): the
 * bus itself depends on no metrics library, and a test passes nothing.
 */
export interface BusObserver {
  /** One request answered (server) or one call returned (client). */
  rpcCompleted?(side: 'client' | 'server', subject: string, code: RpcResultCode, seconds: number): void;
  /**
   * One relay round published `published` events; `lagSeconds` is how long the oldest of them waited
   * since it was recorded, `backlog` how many events the round found waiting (up to its batch size).
   */
  relayRound?(published: number, backlog: number, lagSeconds: number): void;
  /**
   * After each round that caught up: seconds since the oldest committed event not yet published was
   * recorded (0 when none), i.e. how long older open transactions hold the relay back (ADR 0002).
   */
  relayLag?(lagSeconds: number): void;
  /**
   * One delivery settled by a consumer: `lagSeconds` from the event's occurredAt to now, `attempt` 1 for
   * a first delivery.
   */
  eventSettled?(consumer: string, subject: string, outcome: 'applied' | 'skipped' | 'retry' | 'parked', attempt: number, lagSeconds: number | undefined): void;
}
