/**
 * Which representation an Accept header prefers (RFC 9110 §12.5.1), among the ones a route offers. The
 * first offer wins ties and is the answer when the header is absent or names nothing offered: a server
 * may disregard Accept rather than answer 406, and a report in JSON is more useful than an error.
 */
export function negotiate<T extends string>(accept: string | undefined, offers: readonly [T, ...T[]]): T {
  if (accept === undefined || accept.trim() === '') return offers[0]
  const ranges = accept.split(',').flatMap((part) => {
    const [range, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase())
    if (!range || !/^[^/\s]+\/[^/\s]+$/.test(range)) return []
    const qParameter = parameters.find((p) => p.startsWith('q='))
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2))
    return Number.isFinite(q) ? [{ range, q: Math.min(1, Math.max(0, q)) }] : []
  })
  const qualityOf = (offer: string): number => {
    const [type] = offer.split('/')
    // The most specific matching range decides (text/csv over text/* over */*).
    const exact = ranges.find((r) => r.range === offer)
    const typeWide = ranges.find((r) => r.range === `${type}/*`)
    const any = ranges.find((r) => r.range === '*/*')
    return (exact ?? typeWide ?? any)?.q ?? 0
  }
  let best = offers[0]
  let bestQ = qualityOf(best)
  for (const offer of offers.slice(1)) {
    const q = qualityOf(offer)
    if (q > bestQ) {
      best = offer
      bestQ = q
    }
  }
  return best
}
