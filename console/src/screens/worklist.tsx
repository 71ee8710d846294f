/** Placeholder: built by the screens' owner. */
export function WorklistScreen({ params }: { params: Record<string, string> }) {
  return <h1>worklist</h1>
}
