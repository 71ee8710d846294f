/**
 * Walking a million cases without holding them: keyset pages read one after the other, two such streams sorted by
 * case id merged like a merge join, and the result taken in chunks (one query for a chunk's events).
 */
export async function* paged<T>(fetch: (after: T | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T> {
  let after: T | null = null
  for (;;) {
    const page = await fetch(after)
    yield* page
    if (page.length < pageSize) return
    after = page.at(-1) as T
  }
}

export async function* nothing<T>(): AsyncGenerator<T> {}

export interface Merged<A, B> {
  caseId: string
  current?: A
  checkpointed?: B
}

/** Both inputs ascend by caseId (UUIDs compare as their lowercase text, as PostgreSQL orders them). */
export async function* mergeByCaseId<A extends { caseId: string }, B extends { caseId: string }>(left: AsyncIterator<A>, right: AsyncIterator<B>): AsyncGenerator<Merged<A, B>> {
  let a = await left.next()
  let b = await right.next()
  while (!a.done || !b.done) {
    if (!a.done && (b.done || a.value.caseId < b.value.caseId)) {
      yield { caseId: a.value.caseId, current: a.value }
      a = await left.next()
    } else if (!b.done && (a.done || b.value.caseId < a.value.caseId)) {
      yield { caseId: b.value.caseId, checkpointed: b.value }
      b = await right.next()
    } else if (!a.done && !b.done) {
      yield { caseId: a.value.caseId, current: a.value, checkpointed: b.value }
      a = await left.next()
      b = await right.next()
    }
  }
}

export async function* chunked<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = []
  for await (const item of items) {
    chunk.push(item)
    if (chunk.length >= size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}
