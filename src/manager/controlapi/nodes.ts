import { z } from 'zod';
import { ShoalError } from '../../api/errors.js';
import type { NodeObject } from '../../api/objects.js';
import { parseOrThrow } from '../../api/validation.js';
import { ConflictError, type Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { resolveNode } from './refs.js';

const labelKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/, 'must be letters, digits, ".", "_", "-" or "/"');
const updateNodeSchema = z.strictObject({
  version: z.number().int().min(0).optional(),
  availability: z.enum(['active', 'pause', 'drain']).optional(),
  labelsAdd: z.record(labelKey, z.string()).optional(),
  labelsRemove: z.array(z.string()).optional(),
});

export class NodeApi {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  list(ctx: RequestContext): Promise<NodeObject[]> {
    return this.store.list<NodeObject>('node', { env: ctx.env });
  }

  get(ctx: RequestContext, ref: string): Promise<NodeObject> {
    return resolveNode(this.store, ctx.env, ref);
  }

  async update(ctx: RequestContext, ref: string, body: unknown): Promise<NodeObject> {
    const input = parseOrThrow(updateNodeSchema, body);
    const current = await resolveNode(this.store, ctx.env, ref);
    if (input.version !== undefined && input.version !== current.version) {
      throw new ShoalError('conflict', `version: node changed since version ${input.version}; read it again and retry`, 'version');
    }
    for (const key of input.labelsRemove ?? []) {
      if (!(key in current.labels)) throw new ShoalError('invalid_argument', `labelsRemove: node has no label "${key}"`, 'labelsRemove');
    }
    const labels = { ...current.labels, ...(input.labelsAdd ?? {}) };
    for (const key of input.labelsRemove ?? []) delete labels[key];
    const next: NodeObject = {
      ...current,
      labels,
      availability: input.availability ?? current.availability,
      updatedAt: new Date(this.now()).toISOString(),
    };
    try {
      await this.store.commit([{ op: 'put', kind: 'node', value: next, expectVersion: current.version }], { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', 'the node changed while this request ran; retry');
      throw err;
    }
    return resolveNode(this.store, ctx.env, current.id);
  }
}
