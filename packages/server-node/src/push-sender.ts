import { createExpoPushSender, type ExpoPushSender } from '@switchboard/push-expo';
import type { Logger } from '@switchboard/server';
import type { SwitchboardConfig } from './config.js';

/**
 * The PushSender config asks for: Expo when `push.expo` is set (EXPO_ACCESS_TOKEN or
 * SWITCHBOARD_EXPO_URL), otherwise none, so the engine keeps its recording sender and nothing
 * leaves the machine. FCM and APNs adapters would be chosen here the same way.
 */
export function configuredPushSender(
  config: SwitchboardConfig,
  logger?: Logger,
): ExpoPushSender | undefined {
  const expo = config.push?.expo;
  if (!expo) return undefined;
  return createExpoPushSender({
    ...(expo.accessToken ? { accessToken: expo.accessToken } : {}),
    ...(expo.url ? { baseUrl: expo.url } : {}),
    ...(logger ? { logger } : {}),
  });
}
