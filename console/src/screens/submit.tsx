/** Placeholder: built by the screens' owner. */
export function SubmitScreen() {
  return <h1>submit</h1>
}
