import { RPC, botFeatureRpcOf, type RpcMethod } from '@botplatform/contracts';
import { BusNaming, renderNatsAuthorization, type NatsUserAccess } from '@botplatform/bus';

/** What the gateway asks the users service (its UsersClient); the bot tokens are its alone. */
const GATEWAY_REQUESTS: readonly RpcMethod[] = [
  RPC.users.registerUser,
  RPC.users.getMember,
  RPC.users.findMembers,
  RPC.users.listMembers,
  RPC.users.countMembers,
  RPC.users.setMemberLanguage,
  RPC.users.blockMember,
  RPC.users.unblockMember,
  RPC.users.proposeAdmin,
  RPC.users.approveAdmin,
  RPC.users.revokeAdmin,
  RPC.users.recordBotBlocked,
  RPC.users.consumeQuota,
  RPC.users.getBotCredentials,
  RPC.users.getBotConfig,
  RPC.users.setFeatureFlag,
  RPC.users.setSetting,
  RPC.users.queryAudit,
];

/**
 * Routed updates go to whichever service declared them (`rpc.<service>.handle-bot-update`): services
 * plugged in later are not known here, so the gateway may request that verb of any service, and only it.
 */
const GATEWAY_ROUTED_UPDATES = botFeatureRpcOf('any').subject.replace('.any.', '.*.');

/** Every service with bot features declares them to the gateway. */
const DECLARES_BOT_FEATURES: readonly string[] = [RPC.gateway.declareBotFeatures.subject];

/**
 * Who may do what on the broker: the one source of the permissions in deploy/nats/nats-server.conf
 * and deploy/k8s/nats-config.yaml (`npm run nats:config` writes them; a spec checks they match), and
 * of the private brokers of the distributed tests. Each service publishes its own events and answers
 * its own `rpc.<service>.*`; everything else it needs is listed here, and the rest is refused.
 */
export const platformNatsAccess: readonly NatsUserAccess[] = [
  // Its admin API registers bots in-process; it asks the gateway only to route its bot features. Its
  // members' plan levels follow their subscriptions.
  { user: 'users', service: true, consumers: [{ name: 'users--plan-levels', source: 'subscriptions' }], requests: DECLARES_BOT_FEATURES },
  // Its audience and rules follow the users, subscriptions, gamification, payments and gateway events; its admin alerts
  // follow the users (settings, campaign joins) and payments events.
  {
    user: 'notifications',
    service: true,
    consumers: [
      { name: 'notifications--recipients', source: 'users' },
      { name: 'notifications--subscriptions', source: 'subscriptions' },
      { name: 'notifications--gamification', source: 'gamification' },
      { name: 'notifications--delivery-outcomes', source: 'gateway' },
      { name: 'notifications--payments', source: 'payments' },
      { name: 'notifications--admin-alerts-users', source: 'users' },
      { name: 'notifications--admin-alerts-payments', source: 'payments' },
    ],
    // Its bot screens (/notifications, /broadcast, /notifadmin) are routed to it once declared; its admin API
    // (rules, templates, scheduled messages) has the users service check the bots' API tokens.
    requests: [RPC.users.authenticateApiToken.subject, ...DECLARES_BOT_FEATURES],
  },
  {
    user: 'gateway',
    service: true,
    consumers: [
      { name: 'gateway--bot-registry', source: 'users' },
      { name: 'gateway--member-cache', source: 'users' },
      { name: 'gateway--bot-config', source: 'users' },
      { name: 'gateway--outbound', source: 'notifications' },
    ],
    requests: [...GATEWAY_REQUESTS.map((method) => method.subject), GATEWAY_ROUTED_UPDATES],
  },
  // Its admin API scopes plans by the bots' API tokens, which the users service checks; its bot screens
  // (/plans, /subscription, /subadmin) are routed to it once declared, and "Buy" orders the invoice from
  // payments (and the renewal switch of a Stars subscription goes through payments to Telegram; "Pay from wallet" asks payments to pay from the member's wallet, and a period's wallet renewal asks payments to charge it once per renewal key). Its reminders follow each bot's reminder days (a users setting) and go out in the member's
  // language through notifications. Each bot's group (group-shared plans) follows the users' bot group events.
  {
    user: 'subscriptions',
    service: true,
    consumers: [
      { name: 'subscriptions--reminder-days', source: 'users' },
      { name: 'subscriptions--bot-groups', source: 'users' },
    ],
    requests: [
      ...[
        RPC.users.authenticateApiToken,
        RPC.users.getMember,
        RPC.notifications.sendMessage,
        RPC.payments.createPayment,
        RPC.payments.switchStarRenewal,
        RPC.payments.getPaymentMethods,
        RPC.payments.startCardTransfer,
        RPC.payments.payFromWallet,
        RPC.payments.renewFromWallet,
      ].map((method) => method.subject),
      ...DECLARES_BOT_FEATURES,
    ],
  },
  // XP, levels and badges are shared by a bot group's bots (the users' bot group events); payments'
  // completed payments feed the bots' XP rules.
  {
    user: 'gamification',
    service: true,
    consumers: [
      { name: 'gamification--bot-groups', source: 'users' },
      { name: 'gamification--payments', source: 'payments' },
    ],
    requests: DECLARES_BOT_FEATURES,
  },
  // Sells plans: reads them, grants or revokes them and switches renewal (Stars subscriptions) in subscriptions; refunds Stars through the gateway,
  // the only service that speaks to Telegram; its pre-checkout and payment messages are routed to it.
  // Referrals follow the users' registrations (the /start payload) and referral settings, and its own payments.
  {
    user: 'payments',
    service: true,
    consumers: [
      { name: 'payments--referral-members', source: 'users' },
      { name: 'payments--referral-rewards', source: 'payments' },
    ],
    requests: [
      ...[
        RPC.subscriptions.listPlans,
        RPC.subscriptions.grantSubscription,
        RPC.subscriptions.revokeSubscription,
        RPC.subscriptions.cancelRenewal,
        RPC.subscriptions.resumeRenewal,
        RPC.gateway.refundStarPayment,
        RPC.gateway.editStarSubscription,
        // The admin chat receipts are reviewed in (admin_chat_id, admin_topic_id).
        RPC.users.getBotConfig,
      ].map((method) => method.subject),
      ...DECLARES_BOT_FEATURES,
    ],
  },
  // `npm run new:service` adds the user of each new service here.
  // An operator's tool (e.g. `nats --user operator --inbox-prefix _INBOX.operator req …`): manages the
  // bots and may have a message sent, but never reads a bot token.
  {
    user: 'operator',
    service: false,
    consumers: [],
    requests: [
      RPC.users.registerBot,
      RPC.users.listBots,
      RPC.users.activateBot,
      RPC.users.deactivateBot,
      RPC.users.rotateBotToken,
      RPC.notifications.sendMessage,
      RPC.payments.refundPayment,
      RPC.payments.addPaymentCard,
      RPC.payments.updatePaymentCard,
      RPC.payments.listPaymentCards,
      RPC.payments.setCardRotation,
      // Payment providers: a bot's settings (keys go in, never out) and the parked webhooks.
      RPC.payments.setProviderSettings,
      RPC.payments.listProviderSettings,
      RPC.payments.listParkedWebhooks,
      // A bot's plans (the subscriptions admin API does the same for the bot's own API token).
      RPC.subscriptions.createPlan,
      RPC.subscriptions.updatePlan,
      RPC.subscriptions.archivePlan,
      // What a bot's own code asks before a paid feature (a service made with `npm run new:service` gets its
      // own broker user and declares these itself).
      RPC.subscriptions.access,
      RPC.subscriptions.consume,
      RPC.notifications.setRuleEnabled,
      RPC.notifications.setTemplate,
      RPC.notifications.scheduleMessage,
      RPC.notifications.cancelScheduledMessage,
      RPC.notifications.listScheduledMessages,
      // A bot's levels and badge catalogue (what `npm run import:legacy` checks the legacy badges against), and a member's profile.
      RPC.gamification.configureLevels,
      RPC.gamification.defineBadge,
      RPC.gamification.listBadges,
      RPC.gamification.getProfile,
    ].map((method) => method.subject),
  },
  // `npm run import:legacy` (tools/import-legacy): a legacy bot's members through the services' own commands,
  // and nothing else: identities and memberships, XP, badges, statistics and sessions.
  {
    user: 'importer',
    service: false,
    consumers: [],
    requests: [
      RPC.users.registerUser,
      RPC.gamification.listBadges,
      RPC.gamification.award,
      RPC.gamification.awardBadge,
      RPC.gamification.importActivityStats,
      RPC.gateway.importSession,
    ].map((method) => method.subject),
  },
];

/** The broker users, in the order of the table. */
export const platformNatsUsers: readonly string[] = platformNatsAccess.map((access) => access.user);

/** The nats-server configuration of the platform's users and permissions (namespace: see BusNaming). */
export function renderPlatformNatsConfig(namespace = ''): string {
  return [
    '# Generated from services/platform/src/platform-nats-access.ts by `npm run nats:config`: do not edit.',
    '# Each service connects as its own user (NATS_USER, NATS_PASSWORD); nothing else may connect.',
    '# Passwords come from the environment of nats-server (BP_NATS_<USER>_PASSWORD). Run it with',
    '# `nats-server -c nats-server.conf -js -sd <store>`.',
    renderNatsAuthorization(platformNatsAccess, new BusNaming(namespace)),
  ].join('\n');
}

/** The same configuration as the Kubernetes ConfigMap that deploy/k8s/nats.yaml mounts. */
export function renderPlatformNatsConfigMap(): string {
  const config = renderPlatformNatsConfig()
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n');
  return [
    '# Generated from services/platform/src/platform-nats-access.ts by `npm run nats:config`: do not edit.',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: nats-config',
    'data:',
    '  nats-server.conf: |',
    config,
  ].join('\n');
}
