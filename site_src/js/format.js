// The site's number formats, one of each, the same rules as export/story/prose.py's filters so that
// the story's prose, its figures and the playground print a number alike.

/**
 * A probability as a percentage: one decimal from 1% up, two significant digits below
 * (prose.py's pct()).
 */
export function pct(p) {
  const x = p * 100;
  if (x === 0) return "0%";
  if (x >= 1) {
    let text = x.toFixed(1);
    if (text === "100.0" && p < 1) { // show the shortfall: 99.96%, not 100%
      if (100 - x < 0.0001) return ">99.9999%";
      text = x.toFixed(-Math.floor(Math.log10(100 - x)));
    }
    return (text === "100.0" ? "100" : text) + "%";
  }
  if (x < 0.0001) return "<0.0001%";
  let text = x.toFixed(-Math.floor(Math.log10(x)) + 1);
  if (parseFloat(text) >= 1) text = x.toFixed(1);
  return text + "%";
}

/** A number with fixed decimals and a real minus sign (prose.py's dec). */
export const dec = (x, places) => x.toFixed(places).replace("-", "\u2212");

/** An integer with thousands separators (prose.py's num()). */
export const num = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ","); // not toLocaleString: Intl's start-up costs tens of ms

/** Where the model runs, for the reader (nexttoken.info): "WebGPU" or "WebAssembly, 2 threads". */
export function runsOn({ backend, threads }) {
  return backend === "webgpu" ? "WebGPU" : `WebAssembly, ${threads} thread${threads === 1 ? "" : "s"}`;
}
