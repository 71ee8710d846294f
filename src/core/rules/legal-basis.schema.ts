import { z } from 'zod'

/** Where a rule comes from: the citation and the passage relied on (quoted or summarised). */
export const legalBasisSchema = z.strictObject({
  citation: z.string().min(1),
  text: z.string().min(1),
})
export type LegalBasis = z.infer<typeof legalBasisSchema>
