import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limits } from '../../api/limits.js';
import { parseOrThrow } from '../../api/validation.js';
import { deployStackSchema } from './stack-request.js';

test('a compose file, .env or variable over its size limit is refused naming the file or variable and the limit', () => {
  const big = 'x'.repeat(limits.composeFileBytes + 1);
  const refusal = (body: unknown): string => {
    try {
      parseOrThrow(deployStackSchema, body);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  assert.equal(refusal({ files: [{ name: 'a.yaml', content: 'services: {}' }, { name: 'big.yaml', content: big }] }), 'files[1].content: "big.yaml" is 512.0 KiB, larger than the 512 KiB limit of one file');
  assert.equal(refusal({ files: [{ name: 'a.yaml', content: 'x' }], envFile: { name: '.env', content: big } }), 'envFile.content: ".env" is 512.0 KiB, larger than the 512 KiB limit of one file');
  assert.match(refusal({ files: [{ name: 'a.yaml', content: 'x' }], variables: { V: 'v'.repeat(limits.textLength + 1) } }), /^variables\.V: must be at most 65536 characters$/);
  assert.equal(refusal({ files: [{ name: 'a.yaml', content: 'x'.repeat(limits.composeFileBytes) }] }), 'accepted');
});
