/** Placeholder: built by the screens' owner. */
export function SupervisionScreen() {
  return <h1>supervision</h1>
}
