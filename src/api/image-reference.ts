import { controlChars } from './bounded.js';
import { limits } from './limits.js';

/**
 * Docker's reference grammar, loosely (distribution/reference): `[registry[:port]/]name[:tag][@digest]`.
 * Loose where Docker is picky about things that cannot hurt (upper case in a registry host);
 * strict where a bad value reaches the engine's API or logs: no whitespace, no control
 * characters, bounded length.
 */
const hostComponent = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)';
const registry = `(?:${hostComponent}(?:\\.${hostComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]+';
const withRegistry = new RegExp(`^(${registry})/(${pathComponent}(?:/${pathComponent})*)(?::${tag})?(?:@${digest})?$`);
const withoutRegistry = new RegExp(`^(${pathComponent}(?:/${pathComponent})*)(?::${tag})?(?:@${digest})?$`);

/** Why `image` is not an image reference, or undefined when it is one. */
export function imageReferenceProblem(image: string): string | undefined {
  if (image.length === 0) return 'must not be empty';
  if (image.length > limits.imageLength) return `must be at most ${limits.imageLength} characters`;
  if (controlChars.test(image)) return 'must not contain control characters (newline, NUL, ...)';
  if (/\s/.test(image)) return 'must not contain spaces';
  // Docker's rule: the first component is a registry when it has a "." or ":" or is localhost.
  const first = image.split('/')[0] ?? '';
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  const match = (hasRegistry ? withRegistry : withoutRegistry).exec(image);
  if (!match) return 'must be an image reference: [registry[:port]/]name[:tag][@digest], the name in lower case';
  const name = hasRegistry ? `${match[1]}/${match[2]}` : (match[1] ?? '');
  if (name.length > limits.imageNameLength) return `the repository name must be at most ${limits.imageNameLength} characters`;
  return undefined;
}
