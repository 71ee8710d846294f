import type { TestApp } from './test-app.ts'
import { bearer, caseBody } from './test-app.ts'

/** A thin client for lifecycle tests: submit, read, and transition with the ETag just read. */
export function lifecycleClient(testApp: TestApp) {
  const { app } = testApp
  return {
    async submit(key: string, overrides: Record<string, unknown> = {}) {
      const response = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(key), payload: caseBody(overrides) })
      if (response.statusCode !== 201) throw new Error(`submit failed: ${response.statusCode} ${response.body}`)
      return response.json()
    },
    async read(key: string, id: string) {
      const response = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: bearer(key) })
      return response.json()
    },
    /** Reads the current ETag, then transitions; returns the raw response. */
    async act(key: string, id: string, body: Record<string, unknown>, ifMatch?: string | null) {
      let etag = ifMatch
      if (etag === undefined) {
        const current = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: bearer(key) })
        etag = current.headers.etag as string
      }
      return await app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/transitions`,
        headers: { ...bearer(key), ...(etag === null ? {} : { 'if-match': etag }) },
        payload: body,
      })
    },
    /** Transitions and insists on success. */
    async ok(key: string, id: string, body: Record<string, unknown>) {
      const response = await this.act(key, id, body)
      if (response.statusCode !== 200) throw new Error(`${String(body.action)} failed: ${response.statusCode} ${response.body}`)
      return response.json()
    },
  }
}

export const approval = {
  action: 'approve',
  approvedPosition: 'Shuixian Avenue, north side, km 1.2–1.3',
  approvedArea: { lengthMeters: 30, widthMeters: 0.8 },
  approvedPeriod: { from: '2026-03-02', to: '2026-03-10' },
  conditions: ['Reinstate to the original surface'],
}
