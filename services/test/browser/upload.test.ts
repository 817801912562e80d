// The upload page as a person uses it, in a real browser (Debian's chromium, driven by playwright-core)
// against the three services as processes with the tiny model, whose answers depend on the image:
// the limits the server sets, the busy state, boxes and labels drawn where the model put them, each
// error as an alert with the failed image gone, and a layout that fits a phone. Screenshots go to
// out/browser/ at the repository root. Run with `npm run test:browser` (needs /usr/bin/chromium).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import sharp from "sharp";
import { Cleanup, closedPort } from "../support/harness";
import { RED, WHITE, near, solid, type Rgb } from "../support/images";
import { startProcess, waitFor, type Running } from "../support/processes";
import { tinyDetectorModel } from "../support/tinyModel";

const SHOTS = join(__dirname, "..", "..", "..", "out", "browser");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const TYPES = "JPEG, PNG, WebP, GIF, AVIF or TIFF";
/** The page's second colour: the person's when it comes second (after the dog, on a white image). */
const PERSON_BLUE: Rgb = [0x15, 0x65, 0xc0];

/** A light sky over a dark hill: blue above to peach below, bright enough for all three boxes. */
function dusk(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / height;
    for (let x = 0; x < width; x++) {
      const ground = y > height * (0.86 + 0.05 * Math.sin((3 * Math.PI * x) / width));
      const pixel = ground ? [60, 50, 80] : [150 + 105 * t, 190, 255 - 85 * t];
      raw.set(pixel.map(Math.round), (y * width + x) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const cleanup = new Cleanup();
after(() => cleanup.run());

describe("the upload page in chromium", () => {
  let web: Running;
  let detector: Running;
  let browser: Browser;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), "browser-"));
    await writeFile(join(dir, "tiny-ssd.onnx"), tinyDetectorModel());
    const [webPort, processorPort, detectorPort] = [await closedPort(), await closedPort(), await closedPort()];
    const processor = await startProcess("image-processor", processorPort, { MAX_INPUT_PIXELS: "1000000" });
    detector = await startProcess("object-detector", detectorPort, { MODEL_PATH: join(dir, "tiny-ssd.onnx") });
    web = await startProcess("web", webPort, {
      IMAGE_PROCESSOR_URL: processor.url,
      OBJECT_DETECTOR_URL: detector.url,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    });
    for (const running of [web, processor, detector]) cleanup.add(async () => void (await running.stop()));
    await waitFor("object-detector /ready", async () => (await fetch(`${detector.url}/ready`)).ok);
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    cleanup.add(() => browser.close());
  });

  /** A page on web with everything that must not happen recorded: script errors, CSP refusals, uploads. */
  async function open(context: BrowserContext): Promise<{ page: Page; problems: string[]; uploads: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    const uploads: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("request", (request) => {
      if (request.method() === "POST") uploads.push(new URL(request.url()).pathname);
    });
    await page.goto(`${web.url}/`);
    return { page, problems, uploads };
  }

  /** Chooses a file the way a person does: a click on the button, then the file chooser. */
  async function choose(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByText("Choose an image", { exact: true }).click(),
    ]);
    await chooser.setFiles({ name, mimeType, buffer });
  }

  const labels = (page: Page) => page.locator("#boxes .tag").allTextContents();
  /** Each pair of labels that cover one another, e.g. "person 90% covers dog 95%". */
  async function covered(page: Page): Promise<string[]> {
    const tags = page.locator("#boxes .tag");
    const rects = await Promise.all(
      (await tags.all()).map(async (tag) => ({ text: await tag.textContent(), box: (await tag.boundingBox())! })),
    );
    return rects.flatMap((a, i) =>
      rects
        .slice(0, i)
        .filter(
          (b) =>
            a.box.x < b.box.x + b.box.width &&
            b.box.x < a.box.x + a.box.width &&
            a.box.y < b.box.y + b.box.height &&
            b.box.y < a.box.y + a.box.height,
        )
        .map((b) => `${a.text} covers ${b.text}`),
    );
  }
  const alert = (page: Page) => page.getByRole("alert");

  it("states the server's limits, offers only the types it takes, and has a favicon", async () => {
    const context = await browser.newContext();
    const { page, problems } = await open(context);
    assert.equal(await page.title(), "Object detection · ai-mesh");
    // MAX_BODY_BYTES is 2 MiB for this web: the page says 2 MiB, in MiB, with no setting's name.
    assert.equal(await page.locator("#limits").textContent(), `${TYPES} · up to 2 MiB`);
    assert.equal(
      await page.locator("#file").getAttribute("accept"),
      "image/jpeg,image/png,image/webp,image/gif,image/avif,image/tiff",
    );
    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    const favicon = await page.request.get(`${web.url}/${icon}`);
    assert.equal(favicon.status(), 200);
    assert.equal(favicon.headers()["content-type"], "image/svg+xml");
    // The alert region is there from the start, empty (and hidden) until there is something to say.
    assert.equal(await page.locator("#error").getAttribute("role"), "alert");
    assert.equal(await page.locator("#error").textContent(), "");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("is busy while detecting, then draws each box and label where the model put them", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems, uploads } = await open(context);
    // Hold the upload until the busy state has been seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/detect", async (route) => {
      await held;
      await route.continue();
    });
    await choose(page, "white.png", "image/png", await solid(640, 480, WHITE));
    await page.getByText("Finding objects in “white.png”…").waitFor();
    assert.equal(await page.locator("#file").isDisabled(), true, "the input is disabled while busy");
    assert.equal(await page.locator("#result").getAttribute("aria-busy"), "true");
    release();
    await page.getByText("3 objects found").waitFor();
    assert.equal(await page.locator("#file").isDisabled(), false);
    await page.unroute("**/api/detect");
    // White: all three, best first (dog 0.95, person 0.9, cat 0.75).
    assert.deepEqual(await labels(page), ["dog 95%", "person 90%", "cat 75%"]);
    assert.deepEqual(await covered(page), []);
    assert.deepEqual(await page.locator("#list li").allTextContents(), ["dog95%", "person90%", "cat75%"]);
    const facts = await page.locator("#facts").innerText();
    assert.match(facts, /^Model\s+tiny-ssd\.onnx on CPU\n/);
    assert.match(facts, /\nPreprocessing\s+\d+ ms\nDetection\s+\d+ ms \(inference \d+ ms\)\nImage\s+640 × 480 px$/);

    // The person's box is [ymin 0.1, xmin 0.2, ymax 0.5, xmax 0.6] of the image as shown.
    const image = (await page.locator("#image").boundingBox())!;
    const person = (await page.locator(".box", { hasText: "person" }).boundingBox())!;
    const close = (actual: number, expected: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= 1, `${what}: ${actual} vs ${expected}`);
    close(person.x - image.x, 0.2 * image.width, "left");
    close(person.y - image.y, 0.1 * image.height, "top");
    close(person.width, 0.4 * image.width, "width");
    close(person.height, 0.4 * image.height, "height");
    // And drawn: the pixels of its left edge are the person's blue, on the white image.
    const shot = await sharp(await page.locator("#frame").screenshot())
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number): Rgb => {
      const i = (Math.round(y) * shot.info.width + Math.round(x)) * 3;
      return [shot.data[i], shot.data[i + 1], shot.data[i + 2]];
    };
    const edge = at(person.x - image.x + 1, person.y - image.y + person.height / 2);
    assert.ok(near(edge, PERSON_BLUE, 10), `box edge pixel ${edge}`);
    assert.ok(near(at(image.width * 0.35, image.height * 0.75), WHITE, 10), "the image shows through the boxes");
    // For the screenshot, something photo-like: boxes and labels over dark and light, warm and cool.
    await choose(page, "dusk.png", "image/png", await dusk(960, 640));
    await page.getByText("3 objects found").waitFor();
    await page.screenshot({ path: join(SHOTS, "desktop.png"), fullPage: true });

    // Another image, another answer: red is a person only.
    await choose(page, "red.png", "image/png", await solid(320, 240, RED));
    await page.getByText("1 object found").waitFor();
    assert.deepEqual(await labels(page), ["person 90%"]);
    assert.deepEqual(uploads, ["/api/detect", "/api/detect", "/api/detect"]);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("refuses a file too big or of the wrong type in the browser, before uploading it", async () => {
    const context = await browser.newContext();
    const { page, problems, uploads } = await open(context);
    await choose(page, "red.png", "image/png", await solid(320, 240, RED));
    await page.getByText("1 object found").waitFor();

    await choose(page, "big.png", "image/png", Buffer.alloc(3 * 1024 * 1024));
    assert.equal(
      await alert(page).textContent(),
      "“big.png” is 3 MiB, more than the 2 MiB limit. Choose a smaller image.",
    );
    // A few hundred bytes over: the size says so, not "2 MiB, more than the 2 MiB limit".
    await choose(page, "just-over.png", "image/png", Buffer.alloc(2 * 1024 * 1024 + 300));
    assert.equal(
      await alert(page).textContent(),
      "“just-over.png” is 2.0003 MiB, more than the 2 MiB limit. Choose a smaller image.",
    );
    assert.equal(await page.locator("#result").isHidden(), true, "the previous image is cleared");
    assert.equal(await page.locator("#image").getAttribute("src"), null);

    await choose(page, "notes.txt", "text/plain", Buffer.from("not an image"));
    assert.equal(
      await alert(page).textContent(),
      `“notes.txt” is not an image this page takes (text/plain). Choose a ${TYPES} image.`,
    );
    await choose(page, "logo.svg", "image/svg+xml", Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"));
    assert.equal(
      await alert(page).textContent(),
      `“logo.svg” is not an image this page takes (image/svg+xml). Choose a ${TYPES} image.`,
    );
    // Only the first, good image went to the server.
    assert.deepEqual(uploads, ["/api/detect"]);
    // Styled as an error: the page's red, on its red wash.
    // (Page code as text: this project's TypeScript knows no DOM.)
    const style = await page.evaluate(
      "(({ color, backgroundColor, display }) => ({ color, background: backgroundColor, display }))(getComputedStyle(document.getElementById('error')))",
    );
    assert.deepEqual(style, { color: "rgb(179, 38, 30)", background: "rgb(253, 236, 234)", display: "block" });
    await page.screenshot({ path: join(SHOTS, "error.png"), fullPage: true });

    // A good image after an error clears it.
    await choose(page, "white.png", "image/png", await solid(64, 48, WHITE));
    await page.getByText("3 objects found").waitFor();
    assert.equal(await page.locator("#error").textContent(), "");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("fits a phone's width", async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const { page, problems } = await open(context);
    assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390, "no sideways scrolling");
    const button = (await page.getByText("Choose an image", { exact: true }).boundingBox())!;
    assert.ok(button.width > 300, `the button spans the column: ${button.width}px`);
    await page.screenshot({ path: join(SHOTS, "phone-empty.png"), fullPage: true });
    await choose(page, "white.png", "image/png", await solid(1000, 750, WHITE));
    await page.getByText("3 objects found").waitFor();
    const image = (await page.locator("#image").boundingBox())!;
    assert.ok(image.width > 300 && image.width <= 390, `the image fits the width: ${image.width}px`);
    assert.equal(await page.evaluate("document.documentElement.scrollWidth"), 390);
    // The dog's label sits inside its box at the top left, where the person's would go above its own:
    // the person's moves inside its box, and no label covers another.
    assert.deepEqual(await covered(page), []);
    assert.deepEqual(await page.locator("#boxes .box").evaluateAll((all) => all.map((box) => box.className)), [
      "box label-inside",
      "box label-inside",
      "box label-above",
    ]);
    await page.screenshot({ path: join(SHOTS, "phone.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
  it("shows the server's refusals and failures as errors, in words, without setting names", async () => {
    const context = await browser.newContext();
    const { page, uploads } = await open(context);
    const failed = async (name: string, mimeType: string, buffer: Buffer, message: string) => {
      await choose(page, "white.png", "image/png", await solid(64, 48, WHITE));
      await page.getByText("3 objects found").waitFor();
      await choose(page, name, mimeType, buffer);
      await alert(page).filter({ hasText: /\S/ }).waitFor();
      assert.equal(await alert(page).textContent(), message);
      assert.equal(await page.locator("#result").isHidden(), true, `${name}: the failed image is cleared`);
      assert.equal(await page.locator("#file").isDisabled(), false);
    };
    // image-processor's 422, relayed by web.
    await failed(
      "broken.jpg",
      "image/jpeg",
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]),
      "Detection failed: the JPEG image is truncated or corrupt: it cannot be decoded.",
    );
    // A 413 the page could not foresee (MAX_INPUT_PIXELS is 1000000 here): its message, the setting's name dropped.
    await failed(
      "wide.png",
      "image/png",
      await solid(1200, 1000, WHITE),
      "Detection failed: the image is 1200x1000 pixels, more than 1000000 pixels.",
    );
    // object-detector gone: web's 502.
    assert.equal(await detector.stop(), 0);
    await choose(page, "white.png", "image/png", await solid(64, 48, WHITE));
    await alert(page).filter({ hasText: /\S/ }).waitFor();
    assert.equal(await alert(page).textContent(), "Detection failed: object-detector is unreachable.");
    assert.equal(await page.locator("#result").isHidden(), true);
    assert.equal(uploads.length, 5);
    await context.close();
  });
});
