/** Placeholder: built by the screens' owner. */
export function CaseScreen({ id }: { id: string }) {
  return <h1>case</h1>
}
