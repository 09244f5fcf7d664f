import { z } from 'zod';
import { boundedArray, boundedRecord, boundedText } from '../../api/bounded.js';
import { formatBytes } from '../../api/byte-size.js';
import { limits } from '../../api/limits.js';
import { nameSchema, replicasSchema } from '../../api/service-spec.js';
import { base64Pattern } from '../../api/secrets.js';

/** What clients send to deploy, scale and roll back stacks. */

const sourceFile = z
  .strictObject({
    name: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    content: z.string(),
  })
  .superRefine((file, ctx) => {
    const size = Buffer.byteLength(file.content, 'utf8');
    if (size > limits.composeFileBytes) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: `"${file.name}" is ${formatBytes(size)}, larger than the ${formatBytes(limits.composeFileBytes)} limit of one file` });
    }
  });

// Empty is allowed: an empty env_file is a valid file.
const base64 = z.string().regex(base64Pattern, 'must be base64');

export const deployStackSchema = z.strictObject({
  /** Required by `POST /v1/stacks`; `PUT /v1/stacks/:name` takes it from the path. */
  name: nameSchema.optional(),
  files: boundedArray(sourceFile, limits.stackFiles).min(1, 'must hold at least one compose file'),
  envFile: sourceFile.optional(),
  /** Values of the variables the files reference (the client sends only those). */
  variables: boundedRecord(z.string().min(1, 'must not be empty').max(limits.shortTextLength), boundedText(), limits.stackVariables).default({}),
  /** Files the compose files reference (env_file, secret and config `file:`), base64 by relative path. */
  fileData: boundedRecord(z.string().min(1, 'must not be empty').max(limits.pathLength), base64, limits.stackFileData).default({}),
  /** Remove the stack's services the files no longer have. */
  prune: z.boolean().default(false),
});
export type DeployStackRequest = z.infer<typeof deployStackSchema>;

export const scaleStackSchema = z.strictObject({
  /** Compose service name → replicas. */
  services: z
    .record(z.string().min(1, 'must not be empty'), replicasSchema)
    .refine((s) => Object.keys(s).length > 0, 'must name at least one service'),
});

export const stackNameSchema = nameSchema;
