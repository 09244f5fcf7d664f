import type { Filter } from './filter.js';
import { nodes } from './filter.js';

/** Paused and drained nodes keep or lose their tasks elsewhere; here they just take no new ones. */
export const availabilityFilter: Filter = {
  name: 'availability',
  check: (info) => info.node.availability === 'active',
  explain: (count) => `${nodes(count)} not available for new tasks`,
};
