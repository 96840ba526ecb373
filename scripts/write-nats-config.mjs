// `npm run nats:config`: rewrites deploy/nats/nats-server.conf and deploy/k8s/nats-config.yaml from the
// permissions in services/platform/src/platform-nats-access.ts (built first by the npm script).
import { fileURLToPath } from 'node:url';

const { writeNatsConfig } = await import('../services/platform/dist/write-nats-config.js');
await writeNatsConfig(fileURLToPath(new URL('..', import.meta.url)));
