import { testServers, uniqueName } from '@botplatform/testing';
import { headers } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { BusTestKit } from '../testing/bus-test-kit.js';
import { eventBusContract } from '../testing/event-bus.contract.js';
import { JetStreamEventBus } from './jetstream-event-bus.js';
import { deleteNamespaceStreams } from './testing-streams.js';

eventBusContract('JetStream', async () => {
  const kit = await BusTestKit.create();
  const bus = await JetStreamEventBus.connect(testServers.natsUrl, 'bus-contract', {
    namespace: uniqueName('t'),
    relay: { pollIntervalMs: 20 },
    consumer: { ackWaitMs: 5_000 },
  });
  return {
    bus,
    kit,
    injectUnreadable: async () => {
      const hdrs = headers();
      hdrs.set('Nats-Msg-Id', uniqueName('garbage'));
      await jetstream(bus.connection).publish(bus.naming.wireSubject('users.user.registered.v1'), new Uint8Array([0xff, 0x01, 0x02]), {
        headers: hdrs,
      });
    },
    close: async () => {
      await bus.close();
      await deleteNamespaceStreams(testServers.natsUrl, bus.naming);
      await kit.close();
    },
  };
});
