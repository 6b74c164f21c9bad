// The playground's names for the site's one element builder and number formats.
export { el } from "../dom.js";
export { num as count, pct as percent } from "../format.js";
