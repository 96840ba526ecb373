import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, type DescFile, type DescService } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { QuotaExceededDetailsSchema } from './gen/botplatform/users/v1/members_pb.js';
import { encodeRpcErrorDetails, rpcErrorDetailsOf } from './rpc-error-details.js';
import { findRpcMethod, isWellFormedRpcSubject, RPC, rpcMethods, rpcMethodsOfService, rpcServices } from './rpc-registry.js';

const GEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'gen');

/** Every service the generator wrote, found on disk rather than through the registry. */
async function generatedServices(): Promise<DescService[]> {
  const paths = readdirSync(GEN_DIR, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('_pb.ts'));
  const services: DescService[] = [];
  for (const path of paths) {
    const module = (await import(join(GEN_DIR, path))) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'file') services.push(...(value as DescFile).services);
    }
  }
  return services;
}

const kebabCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

describe('RPC registry', () => {
  it('names each RPC by its declared subject and message types', () => {
    expect(RPC.users.registerUser).toMatchObject({ subject: 'rpc.users.register-user', service: 'users', verb: 'register-user' });
    expect(RPC.users.registerUser.request.typeName).toBe('botplatform.users.v1.RegisterUserRequest');
    expect(RPC.users.registerUser.reply.typeName).toBe('botplatform.users.v1.RegisterUserReply');
    expect(RPC.notifications.sendMessage.subject).toBe('rpc.notifications.send-message');
    expect(findRpcMethod('rpc.users.consume-quota')).toBe(RPC.users.consumeQuota);
    expect(findRpcMethod('rpc.users.no-such-verb')).toBeUndefined();
  });

  it('covers every generated service, so no RPC is left out', async () => {
    const onDisk = (await generatedServices()).map((service) => service.typeName).sort();
    expect(onDisk.length).toBeGreaterThan(0);
    expect(rpcServices.map((service) => service.typeName).sort()).toEqual(onDisk);
    expect(rpcMethods).toHaveLength(rpcServices.reduce((count, service) => count + service.methods.length, 0));
  });

  it('gives every RPC a unique rpc.<service>.<verb> subject: its package service and its method name in kebab case', () => {
    for (const method of rpcMethods) {
      const packageService = method.descriptor!.parent.file.proto.package.split('.')[1];
      expect({ method: method.descriptor!.name, subject: method.subject, wellFormed: isWellFormedRpcSubject(method.subject) }).toEqual({
        method: method.descriptor!.name,
        subject: `rpc.${packageService}.${kebabCase(method.descriptor!.name)}`,
        wellFormed: true,
      });
    }
    expect(new Set(rpcMethods.map((method) => method.subject)).size).toBe(rpcMethods.length);
  });

  it('lists the RPCs of one service', () => {
    expect(rpcMethodsOfService('notifications').map((method) => method.subject)).toEqual([
      RPC.notifications.sendMessage.subject,
      RPC.notifications.setRuleEnabled.subject,
      RPC.notifications.setTemplate.subject,
      RPC.notifications.handleBotUpdate.subject,
      RPC.notifications.scheduleMessage.subject,
      RPC.notifications.cancelScheduledMessage.subject,
      RPC.notifications.listScheduledMessages.subject,
    ]);
    expect(rpcMethodsOfService('users')).toContain(RPC.users.getBotCredentials);
  });

  it.each(['rpc.users', 'rpc.users.RegisterUser', 'rpc.users.register_user', 'rpc.users.*', 'users.register-user', 'rpc.users.register-user.v1'])(
    'refuses the malformed subject %s',
    (subject) => expect(isWellFormedRpcSubject(subject)).toBe(false),
  );
});

describe('RPC error details', () => {
  const resetsAt = new Date('2026-11-24T21:00:00.000Z');

  it('puts the declared details of a code on the wire in their JSON form, and reads them back typed', () => {
    const wire = encodeRpcErrorDetails('USERS.QUOTA_EXCEEDED', { used: 3, limit: 3, requested: 1, resetsAt: resetsAt.toISOString() });
    expect(wire).toEqual({ used: 3, limit: 3, requested: 1, resetsAt: '2026-11-24T21:00:00Z' });
    const details = rpcErrorDetailsOf({ code: 'USERS.QUOTA_EXCEEDED', details: wire }, 'USERS.QUOTA_EXCEEDED');
    expect(details?.resetsAt && timestampDate(details.resetsAt)).toEqual(resetsAt);
    expect(details).toEqual(create(QuotaExceededDetailsSchema, { used: 3, limit: 3, requested: 1, resetsAt: timestampFromDate(resetsAt) }));
  });

  it('sends no details for a code that declares none, or details that do not fit the declared ones', () => {
    expect(encodeRpcErrorDetails('USERS.NOT_A_MEMBER', { resetsAt: resetsAt.toISOString() })).toBeUndefined();
    expect(encodeRpcErrorDetails('USERS.QUOTA_EXCEEDED', { resetsAt: 'tomorrow' })).toBeUndefined();
    expect(encodeRpcErrorDetails('USERS.QUOTA_EXCEEDED', 'resets at midnight')).toBeUndefined();
  });

  it('reads no details from an error with another code, none, or unreadable ones', () => {
    const details = { resetsAt: '2026-11-24T21:00:00Z' };
    expect(rpcErrorDetailsOf({ code: 'USERS.MEMBER_BLOCKED', details }, 'USERS.QUOTA_EXCEEDED')).toBeUndefined();
    expect(rpcErrorDetailsOf({ code: 'USERS.QUOTA_EXCEEDED' }, 'USERS.QUOTA_EXCEEDED')).toBeUndefined();
    expect(rpcErrorDetailsOf({ code: 'USERS.QUOTA_EXCEEDED', details: { resetsAt: 42 } }, 'USERS.QUOTA_EXCEEDED')).toBeUndefined();
    // A newer server's extra field does not hide the ones this build knows.
    expect(rpcErrorDetailsOf({ code: 'USERS.QUOTA_EXCEEDED', details: { ...details, plan: 'pro' } }, 'USERS.QUOTA_EXCEEDED')?.resetsAt).toBeDefined();
  });
});
