export { createExpoPushSender } from './expo-sender.js';
export type { ExpoPushSender, ExpoPushSenderOptions } from './expo-sender.js';
export { EXPO_TRANSPORT, toExpoMessage } from './expo-message.js';
