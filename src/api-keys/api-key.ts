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

/** What generateApiKey makes: `gck_`, the 8-character prefix, `_`, 43 base64url characters (256 bits). */
const API_KEY_FORMAT = /^gck_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/

/** Checked before any lookup: a bearer token of another shape cannot be a key and costs no database query. */
export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_FORMAT.test(key)
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
