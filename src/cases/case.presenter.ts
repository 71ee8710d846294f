import { formatShanghaiInstant } from '../calendar/civil-date.ts'
import type { CaseRecord } from './case.repository.ts'

/** The public JSON of a case (camelCase, instants in Asia/Shanghai time with their offset). */
export function presentCase(record: CaseRecord) {
  const { decision } = record
  return {
    id: record.id,
    number: record.number,
    externalReference: record.externalReference,
    organization: record.organizationCode,
    route: record.route,
    status: record.status,
    requiresApproval: decision.requiresApproval,
    requiresJointReview: decision.requiresJointReview,
    timeLimit: decision.timeLimit,
    approvingAuthority: decision.approvingAuthority,
    stagePlan: decision.stages.map((stage) => ({ key: stage.key, name: stage.name, workingDays: stage.workingDays })),
    ruleSet: { id: record.ruleSetId, version: record.ruleSetVersion, effectiveFrom: record.ruleSetEffectiveFrom },
    explanation: decision.explanation,
    voltageVolts: record.voltageVolts,
    excavationLengthMeters: record.excavationLengthMeters,
    excavationWidthMeters: record.excavationWidthMeters,
    emergency: record.emergency,
    roadProtected: record.roadProtected,
    works: record.works,
    location: record.location as never,
    plannedStartDate: record.plannedStartDate,
    plannedEndDate: record.plannedEndDate,
    contact: record.contact,
    commitment: record.commitment,
    filingReceiptNumber: record.filingReceiptNumber,
    submittedAt: formatShanghaiInstant(record.submittedAt),
    formalitiesDueAt: record.formalitiesDueAt ? formatShanghaiInstant(record.formalitiesDueAt) : null,
    version: record.version,
    updatedAt: formatShanghaiInstant(record.updatedAt),
  }
}

export const etagOf = (record: Pick<CaseRecord, 'version'>) => `"${record.version}"`
