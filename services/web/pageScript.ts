// The upload page's script: checks type and size against the limits the server rendered into the
// page before sending anything, shows a busy state while the image is away, then draws a labelled
// box over each object found (no label covering another), or an error (role="alert") with the failed
// image cleared.

/** A size as people read it: 10485760 → "10 MiB", 12345678 → "11.77 MiB", 1536 → "0.0015 MiB". */
export function mib(bytes: number, digits = bytes < 1048576 ? 2 : 4): string {
  return `${Number((bytes / 1048576).toPrecision(digits))} MiB`;
}

/**
 * A size over a limit (as `mib` writes it), with the digits it takes not to read as the limit itself:
 * 300 bytes over 2 MiB is "2.0003 MiB", never "2 MiB, more than the 2 MiB limit".
 */
export function mibOver(bytes: number, limit: string): string {
  let digits = bytes < 1048576 ? 2 : 4;
  let text = mib(bytes, digits);
  while (text === limit && digits < 16) text = mib(bytes, ++digits);
  return text;
}

// The browser runs the same `mib` and `mibOver` as the server (their compiled source is inlined), so
// the page states sizes exactly as the limit line does.
export const PAGE_JS = `"use strict";
const mib = ${String(mib)};
const mibOver = ${String(mibOver)};
const $ = (id) => document.getElementById(id);
const file = $("file");
const pick = $("pick");
const status = $("status");
const error = $("error");
const result = $("result");
const image = $("image");
const boxes = $("boxes");
const summary = $("summary");
const list = $("list");
const facts = $("facts");
const limits = {
  maxBytes: Number(file.dataset.maxBytes),
  maxLabel: file.dataset.maxLabel,
  types: file.accept.split(","),
  typesLabel: file.dataset.typesLabel,
};
// Colours that carry white text (contrast 4.5:1 or better).
const COLOURS = ["#c2185b", "#1565c0", "#2e7d32", "#6a1b9a", "#b23c00", "#00695c", "#4527a0", "#ad1457"];
const PROVIDERS = { cpu: "CPU", cuda: "GPU (CUDA)" };

file.addEventListener("change", () => {
  const chosen = file.files[0];
  file.value = "";
  if (chosen) void detect(chosen);
});

/** What is wrong with the file before it is sent, or undefined when it may go. */
function refusal(chosen) {
  const name = "\\u201c" + chosen.name + "\\u201d";
  if (!limits.types.includes(chosen.type)) {
    const type = chosen.type ? " (" + chosen.type + ")" : "";
    return name + " is not an image this page takes" + type + ". Choose a " + limits.typesLabel + " image.";
  }
  if (chosen.size === 0) return name + " is empty. Choose another image.";
  if (chosen.size > limits.maxBytes) {
    return name + " is " + mibOver(chosen.size, limits.maxLabel) + ", more than the " + limits.maxLabel + " limit. Choose a smaller image.";
  }
  return undefined;
}

async function detect(chosen) {
  clear();
  const refused = refusal(chosen);
  if (refused) return fail(refused);
  busy(true, chosen);
  try {
    const response = await fetch("api/detect", {
      method: "POST",
      headers: { "content-type": chosen.type },
      body: chosen,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return fail(explain(response.status, body.error, chosen));
    show(body);
  } catch {
    fail("The server could not be reached. Check your connection and try again.");
  } finally {
    busy(false);
  }
}

/** A server's refusal in words for the person who uploaded: no status codes, no setting names. */
function explain(status, message, chosen) {
  if (status === 413 && chosen.size > limits.maxBytes) return refusal(chosen);
  if (status === 503) return "The service is busy right now. Try again in a moment.";
  if (status === 504) return "Detection took too long. Try again, or try a smaller image.";
  const detail = String(message || "the server answered " + status)
    .replace(/ *\\((?:[A-Z][A-Z0-9_]*[ ,/]*)+\\)/g, "")
    .replace(/^(image-processor|object-detector): /, "");
  return "Detection failed: " + detail.replace(/\\.?$/, ".");
}

function clear() {
  error.textContent = "";
  status.textContent = "";
  result.hidden = true;
  boxes.replaceChildren();
  list.replaceChildren();
  facts.replaceChildren();
  summary.textContent = "";
  if (image.src) URL.revokeObjectURL(image.src);
  image.removeAttribute("src");
}

function busy(on, chosen) {
  file.disabled = on;
  pick.setAttribute("aria-disabled", String(on));
  document.body.classList.toggle("busy", on);
  result.setAttribute("aria-busy", String(on));
  if (!on) return;
  image.src = URL.createObjectURL(chosen);
  image.alt = chosen.name;
  result.hidden = false;
  status.textContent = "Finding objects in \\u201c" + chosen.name + "\\u201d\\u2026";
}

function fail(message) {
  clear();
  error.textContent = message;
}

function show(found) {
  const count = found.detections.length;
  status.textContent = "";
  summary.textContent = count === 0 ? "No objects found." : count + (count === 1 ? " object" : " objects") + " found";
  // One colour per label, in the order they come: two labels never share one (until eight).
  const colours = new Map();
  for (const d of found.detections) {
    if (!colours.has(d.label)) colours.set(d.label, COLOURS[colours.size % COLOURS.length]);
    const colour = colours.get(d.label);
    const text = d.label + " " + Math.round(d.score * 100) + "%";
    const box = document.createElement("div");
    box.className = "box";
    box.style.setProperty("--colour", colour);
    box.style.left = d.box.x * 100 + "%";
    box.style.top = d.box.y * 100 + "%";
    box.style.width = d.box.width * 100 + "%";
    box.style.height = d.box.height * 100 + "%";
    // A label goes above its box, or inside when the box touches the top; right-aligned near the right
    // edge; placeLabels() moves it when another label is there.
    box.dataset.place = d.box.y < 0.08 ? "label-inside" : "label-above";
    box.classList.add(box.dataset.place);
    if (d.box.x > 0.6) box.classList.add("label-right");
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = text;
    box.append(tag);
    boxes.append(box);
    const item = document.createElement("li");
    item.style.setProperty("--colour", colour);
    item.textContent = d.label;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = Math.round(d.score * 100) + "%";
    item.append(score);
    list.append(item);
  }
  if (image.complete) placeLabels();
  else image.addEventListener("load", placeLabels, { once: true });
  const t = found.timings;
  const model = found.model || {};
  fact("Model", (model.name || "unknown") + " on " + (PROVIDERS[model.provider] || model.provider || "an unknown device"));
  fact("Preprocessing", t.processMs + " ms");
  fact("Detection", t.detectMs + " ms (inference " + t.inferenceMs + " ms)");
  fact("Image", found.image.width + " \\u00d7 " + found.image.height + " px");
}

// Where a label may go, in order of preference after its own: no label covers another's.
const PLACES = ["label-above", "label-inside", "label-below", "label-inside-bottom"];
window.addEventListener("resize", placeLabels);

/**
 * Puts each label, best score first, in the first place that covers no label already placed and
 * stays on the image; when every place is taken, below the label in its way, as a stack.
 */
function placeLabels() {
  const area = boxes.getBoundingClientRect();
  const placed = [];
  const hit = (r) => placed.find((p) => r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom);
  for (const box of boxes.children) {
    const tag = box.firstChild;
    tag.style.transform = "";
    const put = (place) => {
      box.classList.remove(...PLACES);
      box.classList.add(place);
      return tag.getBoundingClientRect();
    };
    const places = [box.dataset.place, ...PLACES.filter((place) => place !== box.dataset.place)];
    let rect = undefined;
    for (const place of places) {
      const r = put(place);
      if (!hit(r) && r.top >= area.top - 0.5 && r.bottom <= area.bottom + 0.5) {
        rect = r;
        break;
      }
    }
    if (!rect) {
      rect = put(box.dataset.place);
      let shift = 0;
      for (let other = hit(rect); other; other = hit(rect)) {
        const by = other.bottom - rect.top + 1;
        shift += by;
        rect = new DOMRect(rect.x, rect.y + by, rect.width, rect.height);
      }
      tag.style.transform = "translateY(" + shift + "px)";
    }
    placed.push(rect);
  }
}

function fact(name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  facts.append(dt, dd);
}
`;
