import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getOption, hasOption, type DescFile } from '@bufbuild/protobuf';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { UnknownEventTypeError } from './contracts.errors.js';
import { contractFiles, publicEvents, publicEventSubjects, schemaForSubject, subjectOf } from './event-registry.js';
import { isWellFormedEventType, serviceOfSubject } from './event-subject.js';
import { EventEnvelopeSchema } from './gen/botplatform/bus/v1/envelope_pb.js';
import { event as eventOption } from './gen/botplatform/bus/v1/event_options_pb.js';
import { UserRegisteredSchema } from './gen/botplatform/users/v1/events_pb.js';

const GEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'gen');

/** Every file descriptor the generator wrote, found on disk rather than through contractFiles. */
async function generatedFiles(): Promise<DescFile[]> {
  const paths = readdirSync(GEN_DIR, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('_pb.ts'));
  const files: DescFile[] = [];
  for (const path of paths) {
    const module = (await import(join(GEN_DIR, path))) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'file') files.push(value as DescFile);
    }
  }
  return files;
}

describe('public event registry', () => {
  it('finds UserRegistered by subject and the subject by UserRegistered', () => {
    expect(subjectOf(UserRegisteredSchema)).toBe('users.user.registered.v1');
    expect(schemaForSubject('users.user.registered.v1')).toBe(UserRegisteredSchema);
    expect(publicEventSubjects).toContain('users.user.registered.v1');
  });

  it('lists only messages that carry the event option', () => {
    expect(publicEvents.map((event) => event.schema.typeName)).not.toContain(EventEnvelopeSchema.typeName);
    expect(() => subjectOf(EventEnvelopeSchema)).toThrow(UnknownEventTypeError);
  });

  it('raises UnknownEventTypeError for an unregistered subject, listing the known ones', () => {
    expect(() => schemaForSubject('users.user.registered.v9')).toThrow(
      new UnknownEventTypeError(`no public event has the subject "users.user.registered.v9" (known: ${publicEventSubjects.join(', ')})`),
    );
  });

  it('maps a subject to its producing service', () => {
    expect(serviceOfSubject('users.user.registered.v1')).toBe('users');
  });

  it('covers every generated file, so no public event is left out', async () => {
    const onDisk = (await generatedFiles()).map((file) => file.name).sort();
    expect(onDisk.length).toBeGreaterThan(0);
    expect(contractFiles.map((file) => file.name).sort()).toEqual(onDisk);
  });

  it('gives every event message a well-formed <service>.<aggregate>.<event> option from its own package', async () => {
    let eventCount = 0;
    for (const file of await generatedFiles()) {
      for (const type of nestedTypes(file)) {
        if (type.kind !== 'message' || !hasOption(type, eventOption)) continue;
        eventCount++;
        const option = getOption(type, eventOption);
        const packageService = file.proto.package.split('.')[1];
        expect({ message: type.typeName, wellFormed: isWellFormedEventType(option.type), versionAtLeastOne: option.version >= 1 }).toEqual({
          message: type.typeName,
          wellFormed: true,
          versionAtLeastOne: true,
        });
        // The USERS stream captures users.>: an event declared in botplatform.users.v1 must start with users.
        expect(`${type.typeName}: ${option.type.split('.')[0]}`).toBe(`${type.typeName}: ${packageService}`);
        expect(subjectOf(type)).toBe(`${option.type}.v${option.version}`);
      }
    }
    expect(eventCount).toBe(publicEvents.length);
  });

  it('gives every public event a bot_id, because the bot is the tenant of everything', () => {
    for (const { schema } of publicEvents) {
      expect(`${schema.typeName}: ${schema.fields.find((field) => field.name === 'bot_id')?.scalar}`).toBe(
        `${schema.typeName}: 9`, // ScalarType.STRING
      );
    }
  });
});
