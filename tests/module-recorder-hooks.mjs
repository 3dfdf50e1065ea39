/**
 * The resolve hook of tests/module-recorder.mjs (it runs on Node's loader thread): every specifier that resolves to
 * a file is posted to the recorder on the main thread. Failed attempts (tsx tries candidate extensions) are not.
 */
let port;

export const initialize = (data) => {
  port = data.port;
};

export const resolve = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith("file:")) port?.postMessage(resolved.url);
  return resolved;
};
