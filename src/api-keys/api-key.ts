import { createHash, randomBytes } from 'node:crypto'

/**
 * Keys carry 256 random bits, so a single SHA-256 is a safe and fast lookup hash (no slow password
 * hash per request). The short public prefix lets operators tell keys apart without the secret.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 8)
  const key = `gck_${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, prefix, hash: hashApiKey(key) }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
