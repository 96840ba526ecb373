import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { renderPlatformNatsConfig, renderPlatformNatsConfigMap } from './platform-nats-access.js';

/** Where the broker's configuration is committed, from the repository root. */
export const NATS_CONFIG_FILES = {
  'deploy/nats/nats-server.conf': renderPlatformNatsConfig,
  'deploy/k8s/nats-config.yaml': renderPlatformNatsConfigMap,
} as const;

/** `npm run nats:config`: rewrites the committed broker configuration from platform-nats-access.ts. */
export async function writeNatsConfig(root: string): Promise<void> {
  for (const [path, render] of Object.entries(NATS_CONFIG_FILES)) {
    await mkdir(dirname(resolve(root, path)), { recursive: true });
    await writeFile(resolve(root, path), render());
  }
}
