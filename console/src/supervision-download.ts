/**
 * CSV downloads of the reports: fetched with the key in the Authorization header (never in a URL) and the
 * console's language, then saved from a Blob through an <a download>.
 */
import { session } from './lib/session.ts'

export async function downloadCsv(path: string, query: Record<string, string>, language: string, fallbackName: string): Promise<string> {
  const url = `${location.origin}${path}?${new URLSearchParams(query)}`
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session.apiKey() ?? ''}`, Accept: 'text/csv', 'Accept-Language': language } })
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
  const blob = await response.blob()
  const disposition = response.headers.get('content-disposition') ?? ''
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName
  const objectUrl = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = objectUrl
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000)
  return filename
}
