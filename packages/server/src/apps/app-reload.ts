import { Errors } from '@switchboard/protocol';
import { endAppConnections, endKeyConnections } from '../connection/lifecycle.js';
import type { EngineContext } from '../context.js';
import { loadPresenceFixtures } from '../rest/routes/app-routes.js';

/**
 * How often the engine rereads apps and keys from the store, in ms: the longest an app or key the
 * operator CLI created, revoked or deleted in the same database takes to reach a running server.
 */
export const APP_RELOAD_MS = 2000;

/** The reload timer; `stop` waits for a reload under way. */
export interface AppReload {
  /** Rereads the store now and applies what changed. */
  reloadNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Applies one reload's changes the way the REST admin routes would have: a deleted app's
 * connections end with an ERROR as after `DELETE /apps` and its channels and stats go; a removed
 * key's connections end with 40131; a new app's presence fixtures are loaded.
 */
async function reloadOnce(ctx: EngineContext): Promise<void> {
  const changes = await ctx.apps.reload();
  for (const appId of changes.removed) {
    endAppConnections(ctx, appId, Errors.appDeleted(appId));
    ctx.channels.dropApp(appId);
    ctx.stats.dropApp(appId);
  }
  for (const key of changes.removedKeys)
    endKeyConnections(ctx, key.keyName, Errors.keyRevoked(key.keyName));
  for (const app of changes.added) {
    if (app.record.channels) loadPresenceFixtures(ctx, app.record.id, app.record.channels);
  }
  const changed = changes.added.length + changes.removed.length + changes.removedKeys.length;
  if (changed > 0) {
    ctx.logger.info('apps reloaded from the store', {
      added: changes.added.map((a) => a.record.id),
      removed: changes.removed,
      removedKeys: changes.removedKeys.map((k) => k.keyName),
    });
  }
}

/**
 * Starts rereading apps every `everyMs` (a single indexed table read, so cheap), one reload at a
 * time. A failed read is logged and retried on the next period; the server keeps its last view.
 */
export function startAppReload(ctx: EngineContext, everyMs = APP_RELOAD_MS): AppReload {
  let running: Promise<void> | undefined;
  let failing = false;
  const once = (): Promise<void> =>
    (running ??= reloadOnce(ctx)
      .then(
        () => void (failing = false),
        (err: unknown) => {
          // One warning per failing stretch, not one every period.
          if (!failing) ctx.logger.warn('reloading apps from the store failed', { err });
          failing = true;
        },
      )
      .finally(() => (running = undefined)));
  const timer = everyMs > 0 ? setInterval(() => void once(), everyMs) : undefined;
  timer?.unref();
  return {
    reloadNow: once,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
