/** `1 MiB`, `512 KiB`, `1.3 MiB`, `900 bytes`: how sizes and size limits are named in messages. */
export function formatBytes(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes >= mib) return bytes % mib === 0 ? `${bytes / mib} MiB` : `${(bytes / mib).toFixed(1)} MiB`;
  if (bytes >= 1024) return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
