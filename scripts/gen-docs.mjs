// Writes docs/errors.md and docs/limits.md from the error catalog and the limits table,
// so the docs cannot drift from the code. `npm run docs`; a test checks they are current.
import { writeFileSync } from 'node:fs';
import { ERROR_CATALOG } from '@switchboard/protocol';
import { DEFAULT_LIMITS, LIMIT_DOCS } from '@switchboard/server';

export function errorsMarkdown() {
  const rows = ERROR_CATALOG.map(
    (e) => `| ${e.code} | ${e.statusCode} | \`${e.name}\` | ${e.when} |`,
  );
  return [
    '# Errors',
    '',
    'Generated from `packages/protocol/src/errors.ts` by `npm run docs`; do not edit by hand.',
    '',
    "Every error reaches clients as Ably's `ErrorInfo` (`{ message, code, statusCode }`): in a",
    'NACK, an ERROR or DISCONNECTED frame, or a REST body `{ "error": { … } }` with the',
    '`x-ably-errorcode` and `x-ably-errormessage` headers.',
    '',
    '| code | HTTP status | factory | when |',
    '|---:|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function limitsMarkdown() {
  const rows = Object.entries(DEFAULT_LIMITS).map(
    ([name, value]) =>
      `| \`${name}\` | ${value} | ${LIMIT_DOCS[name].unit} | ${LIMIT_DOCS[name].over} |`,
  );
  return [
    '# Limits',
    '',
    'Generated from `packages/server/src/limits.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Every limit is an option with a default. Set them in the config file under `limits`',
    '(for example `{ "limits": { "maxMessageSize": 131072 } }`) or pass `limits` to',
    '`createEngine`. `maxMessageSize`, `maxFrameSize`, `maxInboundRate` and',
    '`connectionStateTtlMs` are also sent to clients in `connectionDetails`.',
    '',
    '| option | default | unit | past the limit |',
    '|---|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('docs/errors.md', errorsMarkdown());
  writeFileSync('docs/limits.md', limitsMarkdown());
  console.log('wrote docs/errors.md and docs/limits.md');
}
