import { confinedJurisdictionCode } from '../core/access/principal.ts'
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { negotiate } from '../platform/http/content-negotiation.ts'
import { attachment, CSV_CONTENT_TYPE } from '../core/reports/csv.ts'
import { slaReportCsv, slaReportFilename } from './sla-report.presenter.ts'
import { slaReportQuerySchema, slaReportSchema, timelineExportQuerySchema } from './sla-report.schema.ts'
import { buildSlaReport } from './sla-report.service.ts'
import { timelineCsvChunks } from './timeline-export.service.ts'

const AUDIT_ROLES = ['auditor', 'office'] as const

export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/reports/sla',
    {
      config: { roles: AUDIT_ROLES, localized: true },
      schema: {
        tags: ['reports'],
        summary: 'How well the time limits are kept: per route, month, district, organization or jurisdiction',
        description:
          'Cases decided in the period (Asia/Shanghai decision dates, both included): on-time rate, median and 90th-percentile working days from acceptance to decision with pauses excluded, paused days, supplement rate, and the open cases now overdue whose deadline fell in the period; with totals. ' +
          'Answered from a summary maintained in the transaction of every decision, so it agrees with the case timelines. `Accept: text/csv` returns the same as CSV (RFC 4180, header row). ' +
          'Scoped like case reads: an office key, or an auditor key scoped to a jurisdiction, counts its own jurisdiction only (asking for another counts nothing); a key spanning every jurisdiction may filter `jurisdiction=` and group `groupBy=jurisdiction`.',
        querystring: slaReportQuerySchema,
        response: {
          200: {
            description: 'The report (JSON), or the same as CSV with Accept: text/csv',
            content: { 'application/json': { schema: slaReportSchema }, 'text/csv': { schema: z.string() } },
          },
          ...commonProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const report = await buildSlaReport({ db: app.db, clock: app.clock }, request.principal, request.query)
      if (negotiate(request.headers.accept, ['application/json', 'text/csv']) === 'text/csv') {
        return reply.type(CSV_CONTENT_TYPE).header('content-disposition', slaReportFilename(report)).send(slaReportCsv(report, request.locale))
      }
      return report
    },
  )

  app.get(
    '/reports/timelines',
    {
      config: { roles: AUDIT_ROLES, localized: true },
      schema: {
        tags: ['reports'],
        summary: 'Per-case timelines of the cases decided in a period, as CSV',
        description:
          'One row per timeline phase (submission to acceptance, review, each "4+2+1+1" stage, works, reinstatement) of every case decided in the period, as GET /v1/cases/{id}/timeline computes it now with the current calendar (its fingerprint is in X-Calendar-Fingerprint). ' +
          'The `review` row of a case holds the figures the SLA report counts. Streamed in decision-date order; any size. ' +
          'The status is sent before the rows, so a failure while streaming is written into the body: the export then ends with the record `#error,<requestId>,<message>` ' +
          '(a case whose timeline cannot be computed is left out and named there; the other rows are complete). A body whose last record starts with `#error` is incomplete.',
        querystring: timelineExportQuerySchema,
        response: {
          200: { description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: z.string() } } },
          ...commonProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const { from, to } = request.query
      const calendar = await app.calendarService.calendar()
      const chunks = timelineCsvChunks({
        db: app.db,
        calendar,
        now: app.clock.now(),
        from,
        to,
        requestId: request.id,
        locale: request.locale,
        jurisdictionCode: confinedJurisdictionCode(request.principal),
        onError: (error, caseId) => request.log.error({ err: error, caseId }, caseId === null ? 'timeline export stopped early' : 'timeline export left a case out'),
      })
      return (
        reply
          .type(CSV_CONTENT_TYPE)
          .header('content-disposition', attachment(`case-timelines_${from}_${to}.csv`))
          .header('x-calendar-fingerprint', calendar.fingerprint())
          // The typed reply knows the schema's string; fastify sends a stream as it comes (backpressure included).
          .send(Readable.from(chunks, { objectMode: false }) as unknown as string)
      )
    },
  )
}
