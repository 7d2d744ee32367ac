/**
 * The interface's Content-Security-Policy, one policy for both ways the renderer is served: Electron's `revive-app:`
 * protocol (which also lets images come from `revive-img:`) and the loopback web bridge.
 */
export function rendererCsp(extraImageSchemes: readonly string[] = []): string {
  const images = extraImageSchemes.map((s) => ` ${s}:`).join('');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self'${images} blob: data:`,
    `connect-src 'self'${images}`,
    "font-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
