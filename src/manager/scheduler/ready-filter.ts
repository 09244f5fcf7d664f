import type { Filter } from './filter.js';
import { nodes, verb } from './filter.js';

/** Only nodes whose agent is connected and healthy get work. */
export const readyFilter: Filter = {
  name: 'ready',
  check: (info) => info.node.status.state === 'ready',
  explain: (count) => `${nodes(count)} ${verb(count, 'is', 'are')} not ready`,
};
