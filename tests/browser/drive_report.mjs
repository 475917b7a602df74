// Drives pages written by scripts/report in Debian's headless Chromium over
// the DevTools protocol (puppeteer-core, pinned in package-lock.json; it never
// downloads a browser) and prints what it observed as JSON on stdout. It
// asserts nothing itself: tests/scripts/test_report_browser.py reads the
// observations and asserts.
//
//   node drive_report.mjs PLAN.json
//
// PLAN: {"chromium": "/usr/bin/chromium", "profile": "<fresh empty dir>",
//        "node_modules": "<where npm ci installed puppeteer-core: build/node/browser_test/node_modules>",
//        "width": 1400, "height": 1000,
//        "pages": [{"name": "...", "path": "/abs/page.html", "steps": [STEP, ...]}]}
// STEP: {"do": "observe", "as": "NAME"}            record an observation under NAME
//       {"do": "click", "selector": "CSS"}          a real mouse click on the element
//       {"do": "select", "selector": "CSS", "value": "V"}  choose an option of a <select>
//       {"do": "screenshot", "path": "/abs/x.png", "fullPage": true}
// Output: {"pages": [{"name", "console": [{type, text}], "page_errors": [...],
//          "requests": [urls other than the page's own file], "failed_requests": [...],
//          "observations": {NAME: {...}}}]}
// Exit status: 0 when every step ran (whatever it observed), 1 when the
// browser or a step failed (the message says which).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const STEP_TIMEOUT_MS = 15000;

/** Runs in the page: what is drawn and what a reader sees. */
function observeInPage() {
  function visible(node) {
    if (!node || node.hidden) return false;
    const r = node.getBoundingClientRect();
    const s = getComputedStyle(node);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  }
  function hash(text) {  // FNV-1a over the canvas's PNG: equal pictures, equal hashes
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h.toString(16);
  }
  function inked(canvas) {  // pixels that are not transparent: something was drawn
    const ctx = canvas.getContext("2d");
    if (!ctx || !canvas.width || !canvas.height) return 0;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4 * 7) if (data[i] !== 0) n++;
    return n;
  }
  const errors = document.getElementById("rsb-errors");
  const figures = Array.from(document.querySelectorAll("figure.chart")).map((fig) => {
    const canvas = fig.querySelector("canvas");
    const pane = fig.closest(".pane");
    return { kind: fig.dataset.kind, pane: pane ? Number(pane.dataset.pane) : null,
             caption: fig.querySelector("figcaption").textContent, visible: visible(canvas),
             width: canvas.width, height: canvas.height, inked: inked(canvas), hash: hash(canvas.toDataURL("image/png")) };
  });
  const tables = {};
  document.querySelectorAll("table").forEach((t) => {
    const cls = t.className || "table";
    (tables[cls] = tables[cls] || []).push(Array.from(t.querySelectorAll("tbody tr")).map((tr) =>
      Array.from(tr.cells).map((c) => c.textContent.trim())));
  });
  return {
    ready: document.body.dataset.rsbReady || null,
    errors_visible: visible(errors),
    errors_text: errors ? errors.innerText : "",
    body_text_length: document.body.innerText.trim().length,
    body_text: document.body.innerText.slice(0, 4000),
    app_visible: visible(document.getElementById("rsb-app")),
    charts: window.rsbReport ? window.rsbReport.charts() : null,
    figures: figures,
    tables: tables,
    families: Array.from(document.querySelectorAll("#rsb-impls fieldset")).map((f) => f.dataset.family),
    checked: Array.from(document.querySelectorAll("#rsb-impls input[type=checkbox]")).filter((b) => b.checked).map((b) => b.value),
    panes: Array.from(document.querySelectorAll(".pane")).map((p) => p.dataset.file),
    selects: Object.fromEntries(Array.from(document.querySelectorAll("select[id]")).map((s) => [s.id, s.value])),
  };
}

async function settle(page) {
  // Two animation frames: the page re-renders synchronously, Chart.js may
  // resize once more on the next frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function drivePage(browser, spec, plan) {
  const page = await browser.newPage();
  await page.setViewport({ width: plan.width || 1400, height: plan.height || 1000 });
  const own = pathToFileURL(spec.path).href;
  const out = { name: spec.name, console: [], page_errors: [], requests: [], failed_requests: [], observations: {} };
  page.on("console", (m) => out.console.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => out.page_errors.push(String(e && e.message ? e.message : e)));
  page.on("request", (r) => { if (r.url() !== own) out.requests.push(r.url()); });
  page.on("requestfailed", (r) => out.failed_requests.push(r.url() + " " + (r.failure() ? r.failure().errorText : "")));
  await page.goto(own, { waitUntil: "load", timeout: STEP_TIMEOUT_MS });
  // Ready, or an error shown: either way the page has said what it has to say.
  await page.waitForFunction(() => document.body.dataset.rsbReady === "yes" ||
                             !document.getElementById("rsb-errors").hidden, { timeout: STEP_TIMEOUT_MS });
  await settle(page);
  for (const step of spec.steps || []) {
    if (step.do === "observe") {
      out.observations[step.as] = await page.evaluate(observeInPage);
    } else if (step.do === "click") {
      await page.click(step.selector);
      await settle(page);
    } else if (step.do === "select") {
      const chosen = await page.select(step.selector, step.value);
      if (!chosen.includes(step.value)) throw new Error(`${spec.name}: ${step.selector} has no option ${step.value}`);
      await settle(page);
    } else if (step.do === "screenshot") {
      await page.screenshot({ path: step.path, fullPage: Boolean(step.fullPage) });
    } else {
      throw new Error(`${spec.name}: unknown step ${JSON.stringify(step)}`);
    }
  }
  await page.close();
  return out;
}

async function main() {
  if (process.argv.length !== 3) {
    console.error("usage: node drive_report.mjs PLAN.json");
    process.exit(2);
  }
  const plan = JSON.parse(readFileSync(process.argv[2], "utf-8"));
  // The packages live in the git-ignored build folder, not beside this file.
  const mod = createRequire(join(plan.node_modules, "resolve-from-here.js"))("puppeteer-core");
  const puppeteer = mod.default || mod;
  const browser = await puppeteer.launch({
    executablePath: plan.chromium,
    headless: true,  // Chromium's --headless
    userDataDir: plan.profile,  // a fresh profile per run
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check"],
    timeout: 30000,
  });
  try {
    const pages = [];
    for (const spec of plan.pages) pages.push(await drivePage(browser, spec, plan));
    process.stdout.write(JSON.stringify({ browser: await browser.version(), pages }) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`drive_report: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
