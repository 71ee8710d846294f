import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { keyIdOf } from '../core/audit/audit-checkpoint.ts'

export interface SigningKeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
  keyId: string
  publicKeyPem: string
}

/**
 * The Ed25519 key that signs checkpoints lives in a file outside the database (AUDIT_SIGNING_KEY_FILE: a mounted
 * secret on a server), so whoever can rewrite the database still cannot sign. When the file does not exist
 * (first start of the embedded default), a key is generated and written with mode 0600, and its public half
 * beside it as `<file>.pub` for offline verification. Read lazily: a process that never signs never touches it.
 * The private key is never logged, returned or stored anywhere else.
 */
export class AuditSigningKey {
  #loading: Promise<SigningKeyPair> | undefined

  constructor(
    readonly file: string,
    private readonly onGenerated?: (file: string) => void,
  ) {}

  async keyPair(): Promise<SigningKeyPair> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = undefined
      throw error
    })
    return await this.#loading
  }

  async #load(): Promise<SigningKeyPair> {
    let pem: string
    try {
      pem = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      pem = await this.#generate()
    }
    const privateKey = createPrivateKey(pem)
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY_FILE ${this.file} does not hold an Ed25519 private key`)
    const publicKey = createPublicKey(privateKey)
    return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
  }

  async #generate(): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    try {
      // wx: another instance that generated the key a moment ago wins, and this one reads its key.
      await writeFile(this.file, pem, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return await readFile(this.file, 'utf8')
      throw error
    }
    await writeFile(`${this.file}.pub`, publicKey.export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 })
    this.onGenerated?.(this.file)
    return pem
  }
}

/** Reads a PEM public key (SPKI) for offline verification; a private key file is accepted and its public half used. */
export async function readPublicKeyFile(file: string): Promise<KeyObject> {
  const pem = await readFile(file, 'utf8')
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem)
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} does not hold an Ed25519 public key`)
  return key
}
