/** libheif-js ships no types for its WebAssembly entry; heic.ts narrows the module to the calls it makes. */
declare module 'libheif-js/wasm-bundle.js' {
  const libheif: unknown;
  export default libheif;
}
