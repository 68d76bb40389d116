import { z } from 'zod';
import { mergeCapabilities, type Capability } from '../catalog/capability.js';
import { defineChannel } from '../catalog/define-channel.js';

const id = z.string().min(1).max(200);
const actor = z.object({ actor: z.enum(['customer', 'agent', 'ai']) });
const sla = { threshold: z.number().nonnegative(), actual: z.number().nonnegative() };

/** `conversation:{conversationId}`: one customer conversation with its agent (or AI broker). */
export const chatConversationChannel = defineChannel({
  pattern: 'conversation:{conversationId}',
  events: {
    'message:user': z.object({
      messageId: id,
      content: z.string().min(1).max(4000),
      timestamp: z.number().int(),
    }),
    'message:ai': z.object({
      messageId: id,
      content: z.string().min(1).max(8000),
      persona: z.string().max(100).optional(),
      timing: z
        .object({
          queue_duration_ms: z.number().nonnegative(),
          ai_duration_ms: z.number().nonnegative(),
        })
        .optional(),
      timestamp: z.number().int().optional(),
    }),
    'typing:start': actor,
    'typing:stop': actor,
    read: z.object({ messageId: id, readAt: z.number().int() }),
    'sla:warning': z.object({ ...sla, severity: z.literal('warning') }),
    'sla:violation': z.object({ ...sla, severity: z.literal('critical') }),
    /** Quick-reply analytics: which suggestion chip was chosen. */
    'ui:suggestionSelected': z.object({
      suggestion: z.string().min(1).max(500),
      persona: z.string().max(100).optional(),
    }),
  },
  presence: z.object({ role: z.enum(['customer', 'agent']), name: z.string().max(100).optional() }),
});

/** The chat catalog: the conversation channel and the capabilities its roles need. */
export const chatCatalog = {
  conversation: chatConversationChannel,
  capabilities: {
    /** A customer in one conversation. */
    customer(conversationId: string): Capability {
      return chatConversationChannel.grant({ conversationId }, [
        'subscribe',
        'publish',
        'presence',
        'history',
      ]);
    },
    /** An agent handling these conversations. */
    agent(conversationIds: string[]): Capability {
      return mergeCapabilities(
        ...conversationIds.map((conversationId) =>
          chatConversationChannel.grant({ conversationId }, [
            'subscribe',
            'publish',
            'presence',
            'history',
          ]),
        ),
      );
    },
  },
} as const;
