import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceSpecSchema } from '../../api/service-spec.js';
import { applyServiceFlags } from '../service/apply-flags.js';
import { buildCreateRequest } from '../service/create-request.js';
import { parseFileReference } from './file-reference.js';

test('--secret and --config take NAME or docker\'s key=value form', () => {
  assert.deepEqual(parseFileReference('db'), { source: 'db', mode: 0o444 });
  assert.deepEqual(parseFileReference('source=db,target=db.pw,uid=10,gid=20,mode=0400'), { source: 'db', target: 'db.pw', uid: '10', gid: '20', mode: 0o400 });
  assert.deepEqual(parseFileReference('src=site,dst=/etc/nginx/nginx.conf'), { source: 'site', target: '/etc/nginx/nginx.conf', mode: 0o444 });
  assert.throws(() => parseFileReference('target=x'), /source= is required/);
  assert.throws(() => parseFileReference('source=db,mode=999'), /octal/);
  assert.throws(() => parseFileReference('source=db,uid=root'), /numeric/);
  assert.throws(() => parseFileReference('source=db,colour=red'), /unknown field "colour"/);
});

test('service create --secret/--config and update --secret-add/--secret-rm edit the references by name', () => {
  const { spec } = buildCreateRequest('nginx', [], { secret: ['db', 'source=api,target=api.key'], config: ['source=site,target=/etc/site.conf'] });
  assert.deepEqual(spec.secrets.map((r) => [r.source, r.target]), [['db', undefined], ['api', 'api.key']]);
  assert.deepEqual(spec.configs.map((r) => r.target), ['/etc/site.conf']);
  assert.throws(() => buildCreateRequest('nginx', [], { secret: ['target=x'] }), /--secret "target=x": source= is required/);
  const updated = applyServiceFlags(serviceSpecSchema.parse(spec), { secretRm: ['db'], secretAdd: ['source=api,mode=0400'], configRm: ['site'] });
  assert.deepEqual(updated.secrets, [{ source: 'api', mode: 0o400 }]);
  assert.deepEqual(updated.configs, []);
});
