/**
 * The permit's QR code: the absolute public verification URL of the case number, as an SVG the `qrcode` package
 * draws (the same text in a browser and in Node, so a test can compare it), in a data: URL for an img.
 */
import QRCode from 'qrcode'

const PERMIT_QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 132 } as const

export function permitVerificationUrl(caseNumber: string, origin: string = location.origin): string {
  return `${origin}/v1/permits/${encodeURIComponent(caseNumber)}/verification`
}

export async function permitQrDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, PERMIT_QR_OPTIONS)
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
