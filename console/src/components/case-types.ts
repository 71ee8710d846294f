/** The case as GET /v1/cases/{id} answers it (the generated types of openapi/openapi.json). */
import type { paths } from '../api/schema.gen.ts'

export type CaseData = paths['/v1/cases/{id}']['get']['responses'][200]['content']['application/json']
