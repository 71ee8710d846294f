/** Placeholder: built by the screens' owner. */
export function PermitScreen({ id }: { id: string }) {
  return <h1>permit</h1>
}
