import { Errors, permits, type Operation } from '@switchboard/protocol';
import type { AppRegistry } from '../apps/app-registry.js';
import type { AuthContext } from './authenticate.js';

/**
 * The one check every channel operation passes: the namespace's rules (an `authenticated`
 * namespace refuses anonymous clients with 40161), then the capability for this operation (40160).
 */
export function requireChannelAccess(
  apps: AppRegistry,
  auth: AuthContext,
  channel: string,
  op: Operation,
): void {
  requireNamespaceRules(apps, auth, channel);
  // Metachannels are written by the server only, whatever the capability says.
  if ((op === 'publish' || op === 'presence') && channel.startsWith('[meta]'))
    throw Errors.capabilityDenied(op, channel);
  if (!permits(auth.capability, channel, op)) throw Errors.capabilityDenied(op, channel);
}

/** Channel rules that apply whatever the operation. */
export function requireNamespaceRules(apps: AppRegistry, auth: AuthContext, channel: string): void {
  const ns = apps.namespaceOf(auth.app, channel);
  if (ns?.authenticated && auth.clientId === undefined)
    throw Errors.identifiedClientRequired(channel);
}
