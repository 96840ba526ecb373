import type { AudienceJson, BotFeatureDeclarationJson, CommandDeclarationJson, MessageKindJson, UpdateKindJson } from '@botplatform/contracts';
import { CALLBACK_NAMESPACE } from './callback-data.js';

/** A service name as it appears in `rpc.<service>.handle-bot-update`. */
const SERVICE_NAME = /^[a-z][a-z0-9]*$/;
/** Telegram's rule for bot commands. */
export const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;
/** `<namespace>:<name>` */
const STEP_NAME = /^([a-z][a-z0-9]{0,11}):([a-z0-9][a-z0-9_-]{0,31})$/;
/** Telegram's limit on a command's description. */
const MAX_DESCRIPTION = 256;
/** The word before the first "_" of a `/start` payload a service takes. */
export const DEEP_LINK_PREFIX = /^[a-z][a-z0-9]{0,15}$/;
const FLAG_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** A declaration the gateway cannot route from: a malformed name, a duplicate, a step outside the service's namespaces. */
export class InvalidFeatureDeclarationError extends Error {
  readonly code = 'BOT.INVALID_DECLARATION';
  constructor(
    readonly service: string | undefined,
    reason: string,
  ) {
    super(`bot features of ${service ?? '?'}: ${reason}`);
    this.name = 'InvalidFeatureDeclarationError';
  }
}

/** One command of a declaration, with its defaults filled in. */
export interface DeclaredCommand {
  readonly command: string;
  readonly descriptions: Readonly<Record<string, string>>;
  readonly audience: Exclude<AudienceJson, 'AUDIENCE_UNSPECIFIED'>;
  readonly featureFlag: string;
}

/** A named route of a declaration (namespace, step or kind) and the flag it waits on. */
export interface DeclaredName<Name extends string = string> {
  readonly name: Name;
  readonly featureFlag: string;
}

/**
 * A checked declaration in a canonical form (sorted, defaults filled in), so two declarations of the
 * same features compare equal whatever order they were written in.
 */
export interface FeatureDeclaration {
  readonly service: string;
  readonly commands: readonly DeclaredCommand[];
  readonly callbackNamespaces: readonly DeclaredName[];
  readonly steps: readonly DeclaredName[];
  readonly messageKinds: readonly DeclaredName<Exclude<MessageKindJson, 'MESSAGE_KIND_UNSPECIFIED'>>[];
  readonly updateKinds: readonly DeclaredName<Exclude<UpdateKindJson, 'UPDATE_KIND_UNSPECIFIED'>>[];
  /** `/start <prefix>_…` deep links, by prefix. */
  readonly deepLinks: readonly DeclaredName[];
}

/**
 * Checks a declaration as it arrives on the wire and puts it in canonical form.
 * @throws InvalidFeatureDeclarationError
 */
export function checkFeatureDeclaration(json: BotFeatureDeclarationJson): FeatureDeclaration {
  const service = json.service ?? '';
  const fail = (reason: string): never => {
    throw new InvalidFeatureDeclarationError(service || undefined, reason);
  };
  if (!SERVICE_NAME.test(service)) fail(`"${service}" is not a service name (a-z, 0-9)`);
  const flag = (value: string | undefined, what: string) => {
    const featureFlag = value ?? '';
    if (featureFlag !== '' && !FLAG_NAME.test(featureFlag)) fail(`${what}: "${featureFlag}" is not a flag name`);
    return featureFlag;
  };
  const unique = <T extends { readonly name?: string; readonly command?: string }>(items: readonly T[], what: string) => {
    const seen = new Set<string>();
    for (const item of items) {
      const name = item.name ?? item.command ?? '';
      if (seen.has(name)) fail(`${what} "${name}" is declared twice`);
      seen.add(name);
    }
    return items;
  };

  const commands = (json.commands ?? []).map((command: CommandDeclarationJson): DeclaredCommand => {
    const name = (command.command ?? '').replace(/^\//, '');
    if (!COMMAND_NAME.test(name)) fail(`command "${command.command}" is not 1 to 32 of a-z, 0-9 and _`);
    const descriptions = command.descriptions ?? {};
    if (!descriptions.en) fail(`command /${name} has no English description`);
    for (const [language, text] of Object.entries(descriptions)) {
      if (!/^[a-z]{2,3}$/.test(language)) fail(`command /${name}: "${language}" is not a language code`);
      if (text.trim() === '' || text.length > MAX_DESCRIPTION) fail(`command /${name}: its ${language} description must be 1 to ${MAX_DESCRIPTION} characters`);
    }
    const audience = command.audience === undefined || command.audience === 'AUDIENCE_UNSPECIFIED' ? 'AUDIENCE_EVERYONE' : command.audience;
    return { command: name, descriptions: sortedRecord(descriptions), audience, featureFlag: flag(command.featureFlag, `command /${name}`) };
  });
  unique(commands, 'command');

  const callbackNamespaces = (json.callbackNamespaces ?? []).map((entry) => {
    const name = entry.namespace ?? '';
    if (!CALLBACK_NAMESPACE.test(name)) fail(`callback namespace "${name}" is not 1 to 12 of a-z and 0-9, starting with a letter`);
    return { name, featureFlag: flag(entry.featureFlag, `callback namespace ${name}`) };
  });
  unique(callbackNamespaces, 'callback namespace');
  const namespaces = new Set(callbackNamespaces.map((entry) => entry.name));

  const steps = (json.steps ?? []).map((entry) => {
    const name = entry.step ?? '';
    const match = STEP_NAME.exec(name);
    if (!match) fail(`step "${name}" is not <namespace>:<name>`);
    if (!namespaces.has(match![1]!)) fail(`step "${name}" is outside the service's callback namespaces`);
    return { name, featureFlag: flag(entry.featureFlag, `step ${name}`) };
  });
  unique(steps, 'step');

  const messageKinds = (json.messageKinds ?? []).map((entry) => {
    const name = entry.kind;
    if (name === undefined || name === 'MESSAGE_KIND_UNSPECIFIED') return fail('a message kind is unspecified');
    return { name, featureFlag: flag(entry.featureFlag, `message kind ${name}`) };
  });
  unique(messageKinds, 'message kind');

  const updateKinds = (json.updateKinds ?? []).map((entry) => {
    const name = entry.kind;
    if (name === undefined || name === 'UPDATE_KIND_UNSPECIFIED') return fail('an update kind is unspecified');
    return { name, featureFlag: flag(entry.featureFlag, `update kind ${name}`) };
  });
  unique(updateKinds, 'update kind');

  const deepLinks = (json.deepLinks ?? []).map((entry) => {
    const name = entry.prefix ?? '';
    if (!DEEP_LINK_PREFIX.test(name)) fail(`deep link prefix "${name}" is not 1 to 16 of a-z and 0-9, starting with a letter`);
    return { name, featureFlag: flag(entry.featureFlag, `deep link ${name}`) };
  });
  unique(deepLinks, 'deep link prefix');

  const byName = <T extends { readonly name: string }>(items: T[]) => items.sort((a, b) => a.name.localeCompare(b.name));
  return {
    service,
    commands: commands.sort((a, b) => a.command.localeCompare(b.command)),
    callbackNamespaces: byName(callbackNamespaces),
    steps: byName(steps),
    messageKinds: byName(messageKinds),
    updateKinds: byName(updateKinds),
    deepLinks: byName(deepLinks),
  };
}

/** The wire form of a checked declaration. */
export function featureDeclarationToJson(declaration: FeatureDeclaration): BotFeatureDeclarationJson {
  const flagOf = (featureFlag: string) => (featureFlag ? { featureFlag } : {});
  return {
    service: declaration.service,
    commands: declaration.commands.map((c) => ({ command: c.command, descriptions: { ...c.descriptions }, audience: c.audience, ...flagOf(c.featureFlag) })),
    callbackNamespaces: declaration.callbackNamespaces.map((n) => ({ namespace: n.name, ...flagOf(n.featureFlag) })),
    steps: declaration.steps.map((s) => ({ step: s.name, ...flagOf(s.featureFlag) })),
    messageKinds: declaration.messageKinds.map((k) => ({ kind: k.name, ...flagOf(k.featureFlag) })),
    updateKinds: declaration.updateKinds.map((k) => ({ kind: k.name, ...flagOf(k.featureFlag) })),
    ...(declaration.deepLinks.length ? { deepLinks: declaration.deepLinks.map((d) => ({ prefix: d.name, ...flagOf(d.featureFlag) })) } : {}),
  };
}

/** True when both declare exactly the same features. */
export function sameFeatureDeclaration(a: FeatureDeclaration, b: FeatureDeclaration): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
