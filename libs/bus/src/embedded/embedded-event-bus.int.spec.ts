import { BusTestKit } from '../testing/bus-test-kit.js';
import { eventBusContract } from '../testing/event-bus.contract.js';
import { EmbeddedEventBus } from './embedded-event-bus.js';

eventBusContract('embedded', async () => {
  const kit = await BusTestKit.create();
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  return {
    bus,
    kit,
    // A stored event the producer's mapper cannot turn into its public contract.
    injectUnreadable: async () => {
      await kit.store.append('user-bad', 'any', [{ type: 'UserRegistered', data: { telegramUserId: 1.5, firstName: 'x' } }], {
        botId: '6f1c2c3e-8a43-4b7e-9a59-2f6f3c1d0a11',
        correlationId: 'c',
        causationId: null,
        actor: { kind: 'system', id: 'test' },
        occurredAt: new Date(),
      });
    },
    close: async () => {
      await bus.close();
      await kit.close();
    },
  };
});
