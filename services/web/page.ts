// The upload page: pick an image, see it with a box over each object found. No build step and no
// framework; the script and styles are served from this origin so the page runs under a strict CSP.
// The limits it states and checks before uploading are the server's own, rendered into the page.
import { ACCEPTED, ACCEPTED_IMAGES } from "../common/imageTypes";
import { mib } from "./pageScript";

export { PAGE_JS } from "./pageScript";
export { PAGE_CSS } from "./pageStyle";

export interface PageLimits {
  maxBodyBytes: number;
}

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function pageHtml(limits: PageLimits): string {
  const types = ACCEPTED_IMAGES.map((image) => image.mime).join(",");
  const maxLabel = mib(limits.maxBodyBytes);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Object detection · ai-mesh</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header><div class="bar"><img src="favicon.svg" alt="" width="28" height="28"><span>ai-mesh</span></div></header>
<main>
<h1>Find the objects in a photo</h1>
<p class="lead">Upload an image and see a labelled box around each object the detector recognises.</p>
<section class="upload" aria-labelledby="pick">
<input id="file" class="visually-hidden" type="file" accept="${types}" aria-describedby="limits" data-max-bytes="${limits.maxBodyBytes}" data-max-label="${escape(maxLabel)}" data-types-label="${escape(ACCEPTED)}">
<label id="pick" for="file" class="button">Choose an image</label>
<p id="limits" class="limits">${escape(ACCEPTED)} · up to ${escape(maxLabel)}</p>
</section>
<p id="status" class="status" role="status" aria-live="polite"></p>
<p id="error" class="error" role="alert"></p>
<figure id="result" hidden>
<div id="frame" class="frame"><img id="image" alt=""><div id="boxes" class="boxes"></div></div>
<figcaption>
<p id="summary" class="summary"></p>
<ol id="list" class="found"></ol>
<dl id="facts" class="facts"></dl>
</figcaption>
</figure>
</main>
<footer>web → image-processor → object-detector, through the mesh</footer>
</body>
</html>
`;
}

/** A detection box with its label, in the page's own blue: the tab shows what the page does. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#1f4fd1"/>
<rect x="6.5" y="10.5" width="19" height="15" rx="2" fill="none" stroke="#fff" stroke-width="3"/>
<rect x="5" y="5" width="13" height="7" rx="2" fill="#ffd23f"/>
</svg>
`;
