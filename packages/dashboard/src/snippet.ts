/** Where the official client connects: this server's host and port, as the page sees them. */
export interface Endpoint {
  hostname: string;
  /** The port, or '' for the scheme's default. */
  port: string;
  /** The page came over https: the client should use TLS too. */
  secure: boolean;
}

/** How the snippet authenticates: with the key itself, or through a token endpoint's URL. */
export type SnippetAuth = { kind: 'key'; key: string } | { kind: 'token'; authUrl: string };

const quote = (s: string): string => JSON.stringify(s).replace(/</g, '\\u003c');

/**
 * A ready-to-paste JavaScript snippet that connects the official `ably` client to this server
 * and logs messages on a channel. A key belongs in server code only; browsers get `authUrl`.
 */
export function clientSnippet(endpoint: Endpoint, auth: SnippetAuth, channel = 'test'): string {
  const port = endpoint.port || (endpoint.secure ? '443' : '80');
  const credentials =
    auth.kind === 'key'
      ? `  // A key is a secret: keep it in server code, never ship it to a browser.\n  key: ${quote(auth.key)},`
      : `  // Your backend's token endpoint: it signs a TokenRequest with a key.\n  authUrl: ${quote(auth.authUrl)},`;
  return [
    `import * as Ably from 'ably';`,
    ``,
    `const client = new Ably.Realtime({`,
    credentials,
    `  endpoint: ${quote(endpoint.hostname)},`,
    `  port: ${port},`,
    `  tls: ${endpoint.secure},`,
    `});`,
    `const channel = client.channels.get(${quote(channel)});`,
    `await channel.subscribe((message) => console.log(message.name, message.data));`,
    `await channel.publish('hello', 'world');`,
    ``,
  ].join('\n');
}
