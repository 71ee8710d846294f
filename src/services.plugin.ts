import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CalendarService } from './calendar/calendar.service.ts'
import { RuleSetService } from './rule-sets/rule-set.service.ts'
import { JurisdictionService } from './jurisdictions/jurisdiction.service.ts'
import type { Clock } from './platform/clock.ts'

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
    calendarService: CalendarService
    ruleSetService: RuleSetService
    jurisdictionService: JurisdictionService
  }
}

/** Long-lived domain services shared by the routes: the calendar and the rule sets, cached per instance. */
async function servicesPlugin(app: FastifyInstance, options: { clock: Clock }) {
  app.decorate('clock', options.clock)
  app.decorate('calendarService', new CalendarService(app.db, options.clock))
  app.decorate('ruleSetService', new RuleSetService(app.db, options.clock))
  app.decorate('jurisdictionService', new JurisdictionService(app.db, options.clock))
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['database'] })
