import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The invalid compose files in testdata/invalid/, each with what it must be refused for. The
 * first line of each says so: `# expect: LINE KEY MESSAGE` (KEY `-` when the problem has no key,
 * as for bad YAML). The stacks API's end-to-end test deploys the same files.
 */
export interface InvalidFixture {
  /** The file name, e.g. `bad-port.yaml`: use it as the StackSourceFile name. */
  name: string;
  content: string;
  line: number;
  /** The key path named, or '' for none. */
  key: string;
  /** A part of the message. */
  message: string;
  /** The whole first line the error must contain: `bad-port.yaml:6: services.web.ports[0]: `. */
  prefix: string;
}

export const invalidFixturesDir = join(import.meta.dirname, 'testdata', 'invalid');

export function invalidFixtures(): InvalidFixture[] {
  return readdirSync(invalidFixturesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const content = readFileSync(join(invalidFixturesDir, name), 'utf8');
      const m = /^# expect: (\d+) (\S+) (.+)$/m.exec(content.split('\n')[0] ?? '');
      if (!m) throw new Error(`${name}: the first line must be "# expect: LINE KEY MESSAGE"`);
      const line = Number(m[1]);
      const key = m[2] === '-' ? '' : (m[2] as string);
      return { name, content, line, key, message: m[3] as string, prefix: key ? `${name}:${line}: ${key}: ` : `${name}:${line}: ` };
    });
}
