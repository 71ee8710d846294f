/**
 * Who the signed-in key is (GET /v1/api-keys/me) and what it may call: the console shows a screen, a button or a
 * form only when the key's role may call the operation behind it (the API's own route roles, `allowedOperations`).
 */
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { api, unwrap } from '../api/client.ts'

export type Me = {
  keyId: string
  role: 'dispatch' | 'office' | 'auditor' | 'admin'
  organization: string | null
  jurisdiction: string | null
  allowedOperations: string[]
}

export interface Identity extends Me {
  /** May the key call this operation ("POST /v1/cases", paths as in the OpenAPI document)? */
  can: (operation: string) => boolean
}

export async function loadIdentity(): Promise<Identity> {
  const me = (await unwrap(api.GET('/v1/api-keys/me'))) as Me
  const allowed = new Set(me.allowedOperations)
  return { ...me, can: (operation) => allowed.has(operation) }
}

export const IdentityContext = createContext<Identity | null>(null)

export function useIdentity(): Identity {
  const identity = useContext(IdentityContext)
  if (!identity) throw new Error('useIdentity outside a signed-in console')
  return identity
}
