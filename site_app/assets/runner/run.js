// The page side of the in-browser runner. Load it as a classic script, so that
// it still runs from file:// (where browsers refuse module scripts) to say why
// Python cannot load there:
//   <script src="runner/run.js" defer></script>
//
// A block offers a button, its job (JSON) and a place for the answers:
//   <script type="application/json" id="job-1">{"example": ..., "module": ..., "files": {...},
//     "setup": [...], "config": {...}, "requests": [{"method", "path", "json", "form",
//     "headers", "status"}], "mtimes": {...}, "packages": ["flask", ...]}</script>
//   (a request's "json" is JSON text, as Python's json.dumps writes it: NaN included)
//   <button type="button" data-ffg-run="job-1" data-ffg-output="out-1">Run</button>
//   <textarea data-ffg-for="job-1" data-ffg-file="app.py">...</textarea>  (optional: edited file)
//   <div id="out-1"></div>
// data-ffg-run may also be a URL of the job's JSON (fetched on click).
//
// Nothing else loads before the first click: then one Web Worker starts
// (worker.js, next to this file) and loads Python. Later clicks reuse it.
// When answers arrive, the output element gets them as HTML and an
// "ffg-answers" event whose detail is {result, timings}; if Python cannot load,
// an "ffg-failed" event with {message}. window.ffgRunner.run(job)
// runs a job without a button (for an editor that builds its own job).

(() => {
  "use strict";

  const here = new URL("./", document.currentScript.src);
  let worker = null;
  let nextId = 1;
  const pending = new Map();

  function startWorker() {
    worker = new Worker(new URL("worker.js", here), { type: "module", name: "ffg-runner" });
    worker.onmessage = (event) => {
      const { id, kind } = event.data;
      const waiting = pending.get(id);
      if (!waiting) return;
      if (kind === "status") {
        waiting.onStatus(event.data.text);
      } else {
        pending.delete(id);
        if (kind === "result") waiting.resolve(event.data);
        else waiting.reject(new Error(event.data.message));
      }
    };
    worker.onerror = (event) => {
      const message = `the runner could not start: ${event.message || "worker.js failed to load"}`;
      for (const waiting of pending.values()) waiting.reject(new Error(message));
      pending.clear();
      worker = null;
    };
  }

  /** Run a job in the worker; resolves to {result, timings}. */
  function run(job, onStatus = () => {}) {
    if (worker === null) startWorker();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onStatus });
      worker.postMessage({ id, job });
    });
  }

  async function jobFor(button) {
    const source = button.dataset.ffgRun;
    const element = document.getElementById(source);
    const job = element
      ? JSON.parse(element.textContent)
      : await (await fetch(new URL(source, document.baseURI))).json();
    const files = { ...job.files };
    for (const editor of document.querySelectorAll(`[data-ffg-for="${CSS.escape(source)}"]`)) {
      if (editor.dataset.ffgFile) {
        files[editor.dataset.ffgFile] = "value" in editor ? editor.value : editor.textContent;
      }
    }
    return { ...job, files };
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function traceback(failure) {
    const box = element("pre", "ffg-traceback", `${failure.message}\n\n${failure.traceback}`.trim());
    box.setAttribute("role", "alert");
    if (failure.where) box.dataset.ffgWhere = failure.where;
    return box;
  }

  // Werkzeug builds Allow from a set, whose order follows string hashes; Pyodide's
  // are 32-bit, so its order differs from the build's. Pages show Allow sorted.
  function shown(key, value) {
    return key.toLowerCase() === "allow" ? value.split(", ").sort().join(", ") : value;
  }

  function render(output, result) {
    output.replaceChildren();
    for (const answer of result.answers) {
      const box = element("section", "ffg-answer");
      box.dataset.ffgStatus = String(answer.status_code);
      box.append(element("p", "ffg-request", `${answer.method} ${answer.path}`));
      const head = [answer.status, ...answer.headers.map(([key, value]) => `${key}: ${shown(key, value)}`)];
      box.append(element("pre", "ffg-head", head.join("\n")));
      if (answer.pretty !== null) box.append(element("pre", "ffg-body", answer.pretty));
      else if (answer.body_base64) {
        const image = element("img", "ffg-image");
        image.alt = `the ${answer.mimetype} answer of ${answer.method} ${answer.path}`;
        image.src = `data:${answer.mimetype};base64,${answer.body_base64}`;
        box.append(image);
      }
      // A view that raises on purpose (a declared 5xx) shows no traceback, as on the page.
    if (!answer.expected) for (const failure of answer.raised) box.append(traceback(failure));
      output.append(box);
    }
    if (result.error) output.append(traceback(result.error));
  }

  async function clicked(button) {
    const output = document.getElementById(button.dataset.ffgOutput);
    const started = performance.now();
    const status = element("p", "ffg-status");
    status.setAttribute("aria-live", "polite");
    output.replaceChildren(status);
    button.disabled = true;
    try {
      const answer = await run(await jobFor(button), (text) => {
        status.textContent = text;
      });
      answer.timings.click = performance.now() - started;
      render(output, answer.result);
      output.dispatchEvent(new CustomEvent("ffg-answers", { detail: answer, bubbles: true }));
    } catch (error) {
      const message = String(error.message);
      output.replaceChildren(traceback({ message: "The example could not run.", traceback: message }));
      output.dispatchEvent(new CustomEvent("ffg-failed", { detail: { message }, bubbles: true }));
    } finally {
      button.disabled = false;
    }
  }

  function offline(button) {
    // Browsers refuse to fetch from file:// pages, so Python could not load.
    const note = element(
      "p",
      "ffg-run-note",
      "Running this example needs the site served over http(s); opened from a file, " +
        "the browser cannot load Python. Serve the folder (python -m http.server) and reload.",
    );
    button.replaceWith(note);
  }

  function attach() {
    for (const button of document.querySelectorAll("[data-ffg-run]")) {
      if (location.protocol === "file:") offline(button);
      else button.addEventListener("click", () => clicked(button));
    }
  }

  window.ffgRunner = { run };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach);
  else attach();
})();
