import {
  checkFeatureDeclaration,
  featureDeclarationToJson,
  RoutingTable,
  sameFeatureDeclaration,
  type FeatureDeclaration,
  type ReservedNames,
} from '@botplatform/bot-kit';
import type { BotFeatureDeclarationJson } from '@botplatform/contracts';
import type { Decider, DomainEvent } from '@botplatform/event-store';
import { FeatureClashError } from './routing.errors.js';

/** The one stream of the platform's routing table: every service's declarations, in order. */
export const BOT_FEATURES_STREAM = 'bot-features';

/**
 * The tenant the routing table's events are stored under: the table is the same for every bot (flags
 * per bot decide what is on), so its events belong to all of them.
 */
export const ALL_BOTS = '*';

/** What the gateway keeps for itself: first contact, /help, /language and its buttons. */
export const GATEWAY_RESERVED: ReservedNames = { owner: 'gateway', commands: ['start', 'help', 'language'], callbackNamespaces: ['lang'] };

export interface DeclareBotFeatures {
  readonly type: 'DeclareBotFeatures';
  /** Checked and canonical (`checkFeatureDeclaration`). */
  readonly declaration: FeatureDeclaration;
}

/** A service's declaration came into force, replacing its previous one. Canonical, so replays compare equal. */
export type BotFeaturesDeclared = DomainEvent<'BotFeaturesDeclared', { readonly declaration: BotFeatureDeclarationJson }>;

export type BotFeaturesEvent = BotFeaturesDeclared;

export interface BotFeaturesState {
  readonly table: RoutingTable;
}

/**
 * The routing table as an aggregate: a declaration that changes nothing decides nothing; one that names
 * something another service (or the gateway) owns is refused with the first clash.
 */
export const botFeaturesDecider: Decider<BotFeaturesState, DeclareBotFeatures, BotFeaturesEvent> = {
  initialState: () => ({ table: new RoutingTable(new Map(), GATEWAY_RESERVED) }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'BotFeaturesDeclared':
        // Stored declarations were checked when decided; checking again canonicalises older forms.
        return { table: state.table.with(checkFeatureDeclaration(event.data.declaration)) };
      default:
        return state;
    }
  },
  decide: (command, state) => {
    const { declaration } = command;
    const current = state.table.declarations.get(declaration.service);
    if (current && sameFeatureDeclaration(current, declaration)) return [];
    const clash = state.table.clashOf(declaration);
    if (clash) throw new FeatureClashError(declaration.service, clash);
    return [{ type: 'BotFeaturesDeclared', data: { declaration: featureDeclarationToJson(declaration) } }];
  },
};
