import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../lib/private-files.js';

/**
 * AES-256-GCM with a key kept in a 0600 file of the manager's data dir: join tokens are stored
 * sealed so that `shoal token show` can print them while the store (and its backups) never hold
 * them in plaintext. Sealed form: base64url(iv ‖ tag ‖ ciphertext).
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static path(dataDir: string): string {
    return join(dataDir, 'ca', 'token-key');
  }

  static async open(dataDir: string, create: boolean): Promise<SecretBox> {
    const path = SecretBox.path(dataDir);
    try {
      const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
      if (key.length !== 32) throw new Error(`${path} does not hold a 256-bit key`);
      return new SecretBox(key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err;
      const key = randomBytes(32);
      await writePrivateFile(path, `${key.toString('base64')}\n`);
      return new SecretBox(key);
    }
  }

  static forTest(key = randomBytes(32)): SecretBox {
    return new SecretBox(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
