import type { MessageKindJson, UpdateKindJson } from '@botplatform/contracts';
import { namespaceOfCallbackData } from './callback-data.js';
import type { DeclaredCommand, FeatureDeclaration } from './feature-declaration.js';

/** What a declaration can own, as named in a clash. */
export type RouteKind = 'command' | 'callback_namespace' | 'step' | 'message_kind' | 'update_kind' | 'deep_link';

/** Where an update goes: the owning service, and the bot flag that must be on for it to go there. */
export interface Route {
  readonly service: string;
  /** Empty when the route is always on. */
  readonly featureFlag: string;
}

/** A command in the table, with its owner: the menus and /help are built from these. */
export interface RoutedCommand extends DeclaredCommand {
  readonly service: string;
}

/** One name another service already owns. */
export interface FeatureClash {
  readonly kind: RouteKind;
  readonly name: string;
  readonly owner: string;
}

/** Names the host keeps for itself (the gateway's /start, /help, /language and their buttons). */
export interface ReservedNames {
  readonly owner: string;
  readonly commands: readonly string[];
  readonly callbackNamespaces: readonly string[];
}

type Index = ReadonlyMap<string, Route>;

/**
 * Which service owns which command, callback namespace, conversation step, message kind and update
 * kind, built from the services' declarations. Immutable: `with` answers a new table, so a router can
 * swap tables between updates without a lock.
 */
export class RoutingTable {
  private readonly commandIndex: Index;
  private readonly namespaceIndex: Index;
  private readonly stepIndex: Index;
  private readonly messageKindIndex: Index;
  private readonly updateKindIndex: Index;
  private readonly deepLinkIndex: Index;

  constructor(
    readonly declarations: ReadonlyMap<string, FeatureDeclaration> = new Map(),
    readonly reserved: ReservedNames = { owner: 'gateway', commands: [], callbackNamespaces: [] },
  ) {
    const index = (pick: (declaration: FeatureDeclaration) => readonly { readonly name: string; readonly featureFlag: string }[]) => {
      const map = new Map<string, Route>();
      for (const declaration of declarations.values()) {
        for (const entry of pick(declaration)) map.set(entry.name, { service: declaration.service, featureFlag: entry.featureFlag });
      }
      return map;
    };
    this.commandIndex = index((d) => d.commands.map((c) => ({ name: c.command, featureFlag: c.featureFlag })));
    this.namespaceIndex = index((d) => d.callbackNamespaces);
    this.stepIndex = index((d) => d.steps);
    this.messageKindIndex = index((d) => d.messageKinds);
    this.updateKindIndex = index((d) => d.updateKinds);
    this.deepLinkIndex = index((d) => d.deepLinks);
  }

  /** The first name of `declaration` that another service (or the host) owns, if any. */
  clashOf(declaration: FeatureDeclaration): FeatureClash | undefined {
    const { service } = declaration;
    const owned = (index: Index, name: string) => {
      const route = index.get(name);
      return route && route.service !== service ? route.service : undefined;
    };
    for (const { command } of declaration.commands) {
      if (this.reserved.commands.includes(command)) return { kind: 'command', name: command, owner: this.reserved.owner };
      const owner = owned(this.commandIndex, command);
      if (owner) return { kind: 'command', name: command, owner };
    }
    for (const { name } of declaration.callbackNamespaces) {
      if (this.reserved.callbackNamespaces.includes(name)) return { kind: 'callback_namespace', name, owner: this.reserved.owner };
      const owner = owned(this.namespaceIndex, name);
      if (owner) return { kind: 'callback_namespace', name, owner };
    }
    const checks: [RouteKind, Index, readonly { readonly name: string }[]][] = [
      ['step', this.stepIndex, declaration.steps],
      ['message_kind', this.messageKindIndex, declaration.messageKinds],
      ['update_kind', this.updateKindIndex, declaration.updateKinds],
      ['deep_link', this.deepLinkIndex, declaration.deepLinks],
    ];
    for (const [kind, index, entries] of checks) {
      for (const { name } of entries) {
        const owner = owned(index, name);
        if (owner) return { kind, name, owner };
      }
    }
    return undefined;
  }

  /** The table with `declaration` in force for its service (replacing its previous one). */
  with(declaration: FeatureDeclaration): RoutingTable {
    const declarations = new Map(this.declarations);
    declarations.set(declaration.service, declaration);
    return new RoutingTable(declarations, this.reserved);
  }

  command(name: string): Route | undefined {
    return this.commandIndex.get(name.toLowerCase());
  }

  /** The owner of a button press, by the namespace before the data's first ":". */
  callback(data: string | undefined): Route | undefined {
    const namespace = namespaceOfCallbackData(data);
    return namespace === undefined ? undefined : this.namespaceIndex.get(namespace);
  }

  step(step: string): Route | undefined {
    return this.stepIndex.get(step);
  }

  messageKind(kind: MessageKindJson): Route | undefined {
    return this.messageKindIndex.get(kind);
  }

  updateKind(kind: UpdateKindJson): Route | undefined {
    return this.updateKindIndex.get(kind);
  }

  /** The owner of a `/start` payload, by its word before the first "_" (`promo_SPRING25` → `promo`). */
  deepLink(payload: string | undefined): Route | undefined {
    const separator = payload ? payload.indexOf('_') : -1;
    return separator > 0 ? this.deepLinkIndex.get(payload!.slice(0, separator)) : undefined;
  }

  /** Every routed command, ordered by service then command (the menu's order). */
  commands(): readonly RoutedCommand[] {
    return [...this.declarations.values()]
      .sort((a, b) => a.service.localeCompare(b.service))
      .flatMap((declaration) => declaration.commands.map((command) => ({ ...command, service: declaration.service })));
  }

  /** True when `service` declared `namespace` (a button it may put under its messages). */
  ownsNamespace(service: string, namespace: string): boolean {
    return this.namespaceIndex.get(namespace)?.service === service;
  }

  /** True when `service` declared `step` (a step it may enter). */
  ownsStep(service: string, step: string): boolean {
    return this.stepIndex.get(step)?.service === service;
  }
}
