// The worker side of bench.js: answers {id, type, args} with {id, value} or {id, error}.
export function serve(handlers) {
  self.onmessage = async ({ data: { id, type, args } }) => {
    try {
      const handler = handlers[type];
      if (!handler) throw new Error(`unknown benchmark call ${type}`);
      postMessage({ id, value: await handler(args) });
    } catch (err) {
      postMessage({ id, error: String(err?.stack ?? err) });
    }
  };
}

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Time an async call: [milliseconds, its value]. */
export async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}
