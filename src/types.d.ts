// Platform files embedded in the bundle as text (esbuild's text loader, see scripts/build.mjs).
declare module '*.yaml' {
  const text: string;
  export default text;
}
