import { rpcMethodsOfService } from '@botplatform/contracts';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { PaymentsModule } from './payments.module.js';

/** The subjects the module's controllers answer, read from Nest's metadata as the transport reads it. */
function servedSubjects(module: abstract new (...args: never[]) => unknown): string[] {
  const controllers = (Reflect.getMetadata('controllers', module) ?? []) as (abstract new (...args: never[]) => unknown)[];
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
      return typeof handler === 'function' ? ((Reflect.getMetadata(PATTERN_METADATA, handler) ?? []) as string[]) : [];
    }),
  );
}

describe('The payments service over request/reply', () => {
  it('answers exactly the RPCs its contract declares (PaymentsRpc), each once', () => {
    const served = servedSubjects(PaymentsModule);
    expect([...served].sort()).toEqual(
      rpcMethodsOfService('payments')
        .map((method) => method.subject)
        .sort(),
    );
  });
});
