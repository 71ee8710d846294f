import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { Locale } from '../../core/i18n/locale.ts'
import { negotiateLocale } from './locale-negotiation.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer's human-readable text follows Accept-Language: it carries Content-Language and Vary (and the OpenAPI says so). */
    localized?: boolean
  }
  interface FastifyRequest {
    /** The language the caller reads (Accept-Language, negotiated once here): `en` unless zh-CN is preferred. */
    readonly locale: Locale
  }
}

/**
 * Marks an answer whose human-readable text follows the request's locale: `Content-Language` names the
 * language it is in and `Vary: Accept-Language` tells caches that another header value may get other text.
 */
export function markLocalized(reply: FastifyReply, locale: Locale): FastifyReply {
  const vary = reply.getHeader('vary')
  const members = (Array.isArray(vary) ? vary.join(',') : String(vary ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  if (!members.some((m) => m.toLowerCase() === 'accept-language' || m === '*')) members.push('Accept-Language')
  return reply.header('content-language', locale).header('vary', members.join(', '))
}

/** The one place the request's locale is decided: a getter on the request, read from Accept-Language. */
async function localePlugin(app: FastifyInstance) {
  app.decorateRequest('locale', {
    getter(this: { headers: Record<string, string | string[] | undefined> }) {
      return negotiateLocale(this.headers['accept-language'])
    },
  })
  // Problems are marked by the error boundary; a localized route's own answers here.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.config?.localized && !reply.hasHeader('content-language')) markLocalized(reply, request.locale)
    return payload
  })
}

export default fp(localePlugin, { name: 'locale', fastify: '5.x' })
