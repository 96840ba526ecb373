import { rpcMethodsOfService } from '@botplatform/contracts';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { NotificationsModule } from './notifications.module.js';

describe('The notifications service over request/reply', () => {
  it('answers exactly the RPCs its contract declares (NotificationsRpc)', () => {
    const controllers = (Reflect.getMetadata('controllers', NotificationsModule) ?? []) as (abstract new (...args: never[]) => unknown)[];
    const served = controllers.flatMap((controller) =>
      Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
        return typeof handler === 'function' ? ((Reflect.getMetadata(PATTERN_METADATA, handler) ?? []) as string[]) : [];
      }),
    );
    expect(served).toEqual(rpcMethodsOfService('notifications').map((method) => method.subject));
  });
});
