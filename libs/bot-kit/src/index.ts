/**
 * @botplatform/bot-kit: the bot-features protocol. A service writes its bot screens with a
 * `BotFeatureRouter` and declares them with a `FeatureDeclarer`; the gateway routes updates with a
 * `RoutingTable` and performs the answered actions.
 */
export {
  CALLBACK_DATA_MAX_BYTES,
  CALLBACK_NAMESPACE,
  CallbackData,
  CallbackDataTooLongError,
  fitsCallbackData,
  namespaceOfCallbackData,
  type CallbackCommand,
} from './routing/callback-data.js';
export {
  checkFeatureDeclaration,
  COMMAND_NAME,
  featureDeclarationToJson,
  InvalidFeatureDeclarationError,
  sameFeatureDeclaration,
  type DeclaredCommand,
  type DeclaredName,
  type FeatureDeclaration,
} from './routing/feature-declaration.js';
export { RoutingTable, type FeatureClash, type ReservedNames, type Route, type RouteKind, type RoutedCommand } from './routing/routing-table.js';
export {
  BotFeatureRouter,
  UnroutedUpdateError,
  type CommandAudience,
  type CommandOptions,
  type FeatureHandler,
  type MessageKindName,
  type RouteOptions,
  type UpdateKindName,
} from './router/bot-feature-router.js';
export {
  FeatureContext,
  SessionTooLargeError,
  type CallbackPress,
  type EditOptions,
  type MessageKeyboard,
  type MessageOptions,
  type ParseMode,
  type Translate,
} from './router/feature-context.js';
export { InlineKeyboard, ReplyKeyboard } from './router/keyboards.js';
export { BotUpdatePipe, InvalidBotUpdateError } from './router/bot-update.pipe.js';
export { FeatureDeclarationRefusedError, FeatureDeclarer, type DeclarationState, type FeatureDeclarerOptions } from './router/feature-declarer.js';
export {
  buildBotUpdate,
  memberOf,
  parseCommand,
  translateUpdate,
  type AwaitingStep,
  type BotUpdateInput,
  type BotUpdateTrigger,
  type ParsedCommand,
  type RoutedUpdate,
  type TranslationOptions,
  type UpdateTranslation,
} from './gateway/bot-update.translation.js';
export {
  ActionRefusedError,
  checkActions,
  performActions,
  SESSION_SLICE_MAX_BYTES,
  type ActionCheck,
  type ActionEffects,
  type ActionRefusal,
  type ActionTarget,
  type PerformOptions,
} from './gateway/action-performer.js';
export {
  DEFAULT_FEATURE_DEADLINE_MS,
  DEFAULT_PRE_CHECKOUT_DEADLINE_MS,
  FeatureDeadlineError,
  routeToFeatures,
  rpcFeatureCall,
  type FeatureCall,
  type FeatureRoutingDependencies,
  type FeatureRoutingLogger,
  type FeatureSessionData,
} from './gateway/feature-routing.js';
export { FeatureTestKit, KIT_TRY_AGAIN, type FeatureTestKitOptions, type KitBot, type KitMemberSource } from './testing/feature-test-kit.js';
