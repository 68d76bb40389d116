import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { errorsMarkdown, limitsMarkdown } from '../../scripts/gen-docs.mjs';

describe('generated docs', () => {
  it('docs/errors.md matches the error catalog (run npm run docs)', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorsMarkdown());
  });
  it('docs/limits.md matches the limits table (run npm run docs)', () => {
    expect(readFileSync('docs/limits.md', 'utf8')).toBe(limitsMarkdown());
  });
});
