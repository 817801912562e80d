// The upload page: pick an image, see it with a box over each object found. No build step and no
// framework; the script and styles are served from this origin so the page runs under a strict CSP.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ai-mesh object detection</title>
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<main>
<h1>Object detection</h1>
<p>Choose a photo. <code>web</code> sends it to <code>image-processor</code>, then to <code>object-detector</code>, through the mesh.</p>
<input id="file" type="file" accept="image/*">
<p id="status" role="status"></p>
<figure id="figure" hidden>
<div id="frame"><img id="image" alt="the uploaded image"><div id="boxes"></div></div>
<figcaption><ol id="list"></ol></figcaption>
</figure>
</main>
</body>
</html>
`;

export const PAGE_JS = `"use strict";
const file = document.getElementById("file");
const status = document.getElementById("status");
const figure = document.getElementById("figure");
const image = document.getElementById("image");
const boxes = document.getElementById("boxes");
const list = document.getElementById("list");

file.addEventListener("change", async () => {
  const chosen = file.files[0];
  if (!chosen) return;
  if (image.src) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(chosen);
  boxes.replaceChildren();
  list.replaceChildren();
  figure.hidden = false;
  status.textContent = "Detecting…";
  try {
    const response = await fetch("api/detect", {
      method: "POST",
      headers: { "content-type": chosen.type || "application/octet-stream" },
      body: chosen,
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    show(body);
  } catch (error) {
    status.textContent = "Failed: " + error.message;
  }
});

function show(result) {
  const t = result.timings;
  status.textContent = result.detections.length + " found · preprocessing " + t.processMs + " ms · detection " +
    t.detectMs + " ms (model " + t.inferenceMs + " ms on " + result.model.provider + ")";
  for (const d of result.detections) {
    const box = document.createElement("div");
    box.className = "box";
    box.style.left = d.box.x * 100 + "%";
    box.style.top = d.box.y * 100 + "%";
    box.style.width = d.box.width * 100 + "%";
    box.style.height = d.box.height * 100 + "%";
    const tag = document.createElement("span");
    tag.textContent = d.label + " " + Math.round(d.score * 100) + "%";
    box.append(tag);
    boxes.append(box);
    const item = document.createElement("li");
    item.textContent = d.label + " (" + d.score.toFixed(2) + ")";
    list.append(item);
  }
}
`;

export const PAGE_CSS = `body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
main { max-width: 60rem; margin: auto; }
#frame { position: relative; display: inline-block; }
#image { display: block; max-width: 100%; max-height: 70vh; }
#boxes { position: absolute; inset: 0; }
.box { position: absolute; border: 2px solid #e4007c; box-sizing: border-box; }
.box span { position: absolute; top: -1.4em; left: -2px; background: #e4007c; color: #fff; font-size: 0.8rem; padding: 0 0.3em; white-space: nowrap; }
`;
