import { z } from 'zod';
import { boundedArray, boundedRecord, boundedText } from '../../api/bounded.js';
import { ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';
import type { NodeObject } from '../../api/objects.js';
import { parseOrThrow } from '../../api/validation.js';
import { readRevocations, revokeNodeOp } from '../ca/revocation.js';
import { ConflictError, retryOnConflict, type Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { resolveNode } from './refs.js';

const labelKey = z.string().max(limits.labelKeyLength, `must be at most ${limits.labelKeyLength} characters`).regex(/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/, 'must be letters, digits, ".", "_", "-" or "/"');
const updateNodeSchema = z.strictObject({
  version: z.number().int().min(0).optional(),
  availability: z.enum(['active', 'pause', 'drain']).optional(),
  labelsAdd: boundedRecord(labelKey, boundedText(limits.labelValueLength), limits.labels).optional(),
  labelsRemove: boundedArray(z.string().max(limits.labelKeyLength), limits.labels).optional(),
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

  /**
   * Removes a node and revokes its certificate in the same commit, so no manager ever sees the
   * node gone but its certificate still good. A ready node is refused without `force`, as docker
   * does: its agent would otherwise keep running tasks the cluster no longer tracks.
   */
  async remove(ctx: RequestContext, ref: string, options: { force: boolean }): Promise<{ id: string; hostname: string; revokedSerial?: string }> {
    return retryOnConflict(async () => {
      const node = await resolveNode(this.store, ctx.env, ref);
      if (node.status.state === 'ready' && !options.force) {
        throw new ShoalError('failed_precondition', `node ${node.hostname} (${node.id}) is ready: stop its agent first (it then goes down), or remove it anyway with --force`);
      }
      const revocations = await readRevocations(this.store);
      await this.store.commit(
        [{ op: 'delete', kind: 'node', id: node.id, expectVersion: node.version }, revokeNodeOp(revocations, node, new Date(this.now()))],
        { actor: ctx.actor },
      );
      return { id: node.id, hostname: node.hostname, ...(node.certificate ? { revokedSerial: node.certificate.serial } : {}) };
    });
  }
}
