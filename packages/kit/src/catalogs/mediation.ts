import { z } from 'zod';
import { mergeCapabilities, type Capability } from '../catalog/capability.js';
import { defineChannel } from '../catalog/define-channel.js';

const isoTime = z.iso.datetime({ offset: true });
const stage = z.number().int().min(0).max(10);
const empty = z.object({});

/** `meetwithoutfear:session:{sessionId}`: what the backend tells both partners. */
export const mediationSessionChannel = defineChannel({
  pattern: 'meetwithoutfear:session:{sessionId}',
  events: {
    'partner.signed_compact': z.object({ signedAt: isoTime }),
    'partner.stage_completed': z.object({ stage, completedAt: isoTime }),
    'partner.advanced': z.object({ toStage: stage }),
    'partner.empathy_shared': empty,
    'partner.needs_shared': empty,
    'partner.ranking_submitted': empty,
    'agreement.proposed': z.object({ agreementId: z.string().min(1) }),
    'agreement.confirmed': z.object({ agreementId: z.string().min(1) }),
    'session.paused': z.object({ by: z.string().min(1), reason: z.string().max(500).optional() }),
    'session.resumed': empty,
    'session.resolved': empty,
  },
});

/** `meetwithoutfear:session:{sessionId}:presence`: who is in the session view now, and where. */
export const mediationPresenceChannel = defineChannel({
  pattern: 'meetwithoutfear:session:{sessionId}:presence',
  events: {},
  presence: z.object({
    userId: z.string().min(1),
    stage,
    status: z.enum(['NOT_STARTED', 'IN_PROGRESS', 'GATE_PENDING', 'COMPLETED']),
    lastActive: isoTime,
  }),
});

/** The mediation-session catalog: its channels and the capabilities its roles need. */
export const mediationCatalog = {
  session: mediationSessionChannel,
  presence: mediationPresenceChannel,
  capabilities: {
    /**
     * A partner in these sessions: reads session events (the backend publishes them) and is
     * present on the presence channel. `publish: true` when the app lets clients publish too.
     */
    participant(sessionIds: string[], options: { publish?: boolean } = {}): Capability {
      return mergeCapabilities(
        ...sessionIds.flatMap((sessionId) => [
          mediationSessionChannel.grant(
            { sessionId },
            options.publish ? ['subscribe', 'history', 'publish'] : ['subscribe', 'history'],
          ),
          mediationPresenceChannel.grant({ sessionId }, ['presence', 'subscribe']),
        ]),
      );
    },
  },
} as const;
