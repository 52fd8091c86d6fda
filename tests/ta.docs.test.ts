// The README's indicator table is generated from the registry; this fails when it is stale
// (fix: npm run build:ts && node dist/src/ta/docs.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../src/util/paths.js';
import { readmeSection } from '../src/ta/docs.js';

it('README indicator table is up to date', () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  expect(readme.includes(readmeSection()), 'README.md indicator table is stale: run `npm run build:ts && node dist/src/ta/docs.js`').toBe(true);
});
