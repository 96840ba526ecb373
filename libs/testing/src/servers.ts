/**
 * Where the shared test servers live. CI and developers run PostgreSQL and NATS (JetStream) locally;
 * the URLs can be overridden for other setups.
 */
export const testServers = {
  postgresUrl: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
};
