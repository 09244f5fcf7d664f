import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import type { NodeAvailability } from '../../api/objects.js';
import type { UpdateNodeRequest } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { parseKeyValue } from '../parse/key-value.js';
import { parseChoice } from '../parse/number.js';
import { repeatable } from '../options.js';

export interface NodeUpdateFlags {
  availability?: string;
  labelAdd?: string[];
  labelRm?: string[];
}

/** The PATCH body for `node update`; an empty body is refused, since it would change nothing. */
export function buildNodeUpdate(flags: NodeUpdateFlags): UpdateNodeRequest {
  const body: UpdateNodeRequest = {};
  if (flags.availability !== undefined) {
    body.availability = parseFlag('--availability', flags.availability, (v) =>
      parseChoice<NodeAvailability>(v, ['active', 'pause', 'drain']),
    );
  }
  if (flags.labelAdd?.length) {
    body.labelsAdd = Object.fromEntries(flags.labelAdd.map((l) => parseFlag('--label-add', l, (v) => parseKeyValue(v, 'empty'))));
  }
  if (flags.labelRm?.length) body.labelsRemove = [...flags.labelRm];
  if (Object.keys(body).length === 0) {
    throw new ShoalError('invalid_argument', 'nothing to update: give --availability, --label-add or --label-rm');
  }
  return body;
}

export function registerNodeUpdate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('update')
    .description('change the availability or labels of a node')
    .argument('<node>', 'node id or hostname')
    .option('--availability <state>', 'active, pause or drain');
  repeatable(cmd, '--label-add <key=value>', 'add or replace a label (repeatable)');
  repeatable(cmd, '--label-rm <key>', 'remove a label (repeatable)');
  withConnectionOptions(cmd);
  cmd.action(async (ref: string, flags: NodeUpdateFlags, command: Command) => {
    const body = buildNodeUpdate(flags);
    const client = await connect(command, io);
    const node = await client.updateNode(ref, body);
    io.out(`${node.hostname}\n`);
  });
}
