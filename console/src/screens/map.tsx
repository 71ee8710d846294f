/** Placeholder: built by the screens' owner. */
export function MapScreen() {
  return <h1>map</h1>
}
