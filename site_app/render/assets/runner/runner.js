// The in-browser runner's page side, loaded by run.js on the first click of
// Run, Edit or Reset (run.js forwards that click and every later one to
// window.ffgRunner.handle).
//
// The build (render/html.py, run_controls) writes after a block's tabs:
//   <p><span class="ffg-run" data-ffg-example="json_api" data-ffg-job='{"example",
//       "edit": [files], "requests": [{"method", "path", "json" (JSON text), "form",
//       "headers", "status", "show", "submit" ({form, fields} or null), "files"}],
//       "open": the answer the block is about (render/html.py, answer_in_focus)}'>
//     <button data-ffg-run>Run</button> <button data-ffg-edit aria-expanded>Edit</button>
//     <span class="ffg-run-output"></span>
//   </span></p>
// and, next to this file, examples/<name>.json: every file of the example, its
// setup commands, config and the wheels it needs.
//
// The first Run starts one Web Worker (worker.js, next to this file), which
// loads Python; later clicks reuse it. It is a SharedWorker where the browser
// has them: every page of the site open in the browser then uses one Python. The answers are shown as tabs, one per
// request, in the same text the build's tabs show (render/html.py,
// _request_body). The output element then gets an "ffg-answers" event whose
// detail is {result, timings}.

(() => {
  "use strict";

  const here = new URL("./", document.currentScript.src);
  let worker = null;
  let nextId = 1;
  let tabSets = 0;
  let editors = 0;
  const pending = new Map();
  const examples = new Map(); // name -> promise of examples/<name>.json

  function answered(event) {
    const { id, kind } = event.data;
    const waiting = pending.get(id);
    if (!waiting) return;
    if (kind === "status") {
      waiting.onStatus(event.data.text);
    } else if (kind === "progress") {
      waiting.onStatus(downloading(event.data.files));
    } else {
      pending.delete(id);
      if (kind === "result") waiting.resolve(event.data);
      else waiting.reject(new Error(event.data.message));
    }
  }

  function failed(event) {
    const message = `the runner could not start: ${event.message || "worker.js failed to load"}`;
    for (const waiting of pending.values()) waiting.reject(new Error(message));
    pending.clear();
    worker = null;
  }

  /** The worker, shared by every page of this site open in the browser where the browser
   * can share one (a second tab's first click finds Python loaded), else this page's own.
   * Its name holds the build's digest: a page of a new build never talks to an old worker. */
  async function startWorker() {
    const url = new URL("worker.js", here);
    const answer = await fetch(new URL("manifest.json", here), { cache: "no-cache" });
    if (!answer.ok) throw new Error(`${answer.url} answered ${answer.status}`);
    const name = `ffg-runner ${(await answer.json()).digest}`;
    if (typeof SharedWorker === "function") {
      try {
        const shared = new SharedWorker(url, { type: "module", name });
        shared.onerror = failed;
        shared.port.onmessage = answered;
        shared.port.start();
        return shared.port;
      } catch {
        // Refused here (a sandboxed frame, storage turned off): a worker of the page's own.
      }
    }
    const own = new Worker(url, { type: "module", name });
    own.onmessage = answered;
    own.onerror = failed;
    return own;
  }

  /** Run a job in the worker; resolves to {result, timings}. */
  async function run(job, onStatus = () => {}) {
    if (worker === null) {
      worker = startWorker();
      worker.catch(() => (worker = null));
    }
    const port = await worker;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onStatus });
      port.postMessage({ id, job });
    });
  }

  const size = (bytes) =>
    bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`;

  /** The progress line: "Downloading 3.1 MB of 16.7 MB: pyodide.asm.wasm 2.0 MB of 9.6 MB, …". */
  function downloading(files) {
    if (!files.length) return "Loading Python…";
    const loaded = files.reduce((sum, [, bytes]) => sum + bytes, 0);
    const total = files.reduce((sum, [, bytes, all]) => sum + Math.max(bytes, all), 0);
    const each = files.map(([name, bytes, all]) => {
      const file = name.split("/").pop();
      return all ? `${file} ${size(bytes)} of ${size(all)}` : `${file} ${size(bytes)}`;
    });
    return `Downloading ${size(loaded)} of ${size(total)}: ${each.join(", ")}`;
  }

  function example(name) {
    if (!examples.has(name)) {
      const url = new URL(`examples/${encodeURIComponent(name)}.json`, here);
      const loading = fetch(url).then((answer) => {
        if (!answer.ok) throw new Error(`${url.pathname} answered ${answer.status}`);
        return answer.json();
      });
      loading.catch(() => examples.delete(name));
      examples.set(name, loading);
    }
    return examples.get(name);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function blockJob(box) {
    return JSON.parse(box.dataset.ffgJob);
  }

  // --- Requests as the reader edits them, one a line: ---------------------------------------
  //   METHOD /path [JSON body] [-> status]
  //   SUBMIT [#form] [{"field": "value"}] [files {"field": "file of the example"}] [-> status]
  // SUBMIT posts the form of the previous answer (an HTML page), as the build does.

  // {"name": "Ada", "guests": "2"}: JSON with a space after each colon and comma, as people write it.
  const spaced = (pairs) => `{${pairs.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(", ")}}`;

  function requestLine(request) {
    const status = request.status !== null ? ` -> ${request.status}` : "";
    if (request.submit) {
      let line = "SUBMIT";
      if (request.submit.form) line += ` ${request.submit.form}`;
      if (request.submit.fields.length) line += ` ${spaced(request.submit.fields)}`;
      const files = request.files || [];
      if (files.length) line += ` files ${spaced(files.map((upload) => [upload.field, upload.source]))}`;
      return line + status;
    }
    let line = `${request.method} ${request.path}`;
    if (request.json !== null) line += ` ${request.json}`;
    return line + status;
  }

  function jsonObject(text, what, number) {
    let value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`request line ${number}: ${what} is not JSON (${error.message})`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`request line ${number}: ${what} must be a JSON object, {"name": "value"}`);
    }
    return value;
  }

  function readSubmit(line, number, originals) {
    let rest = line.slice("SUBMIT".length).trim();
    let status = null;
    const arrow = /\s*->\s*(\d{3})$/.exec(rest);
    if (arrow) {
      status = Number(arrow[1]);
      rest = rest.slice(0, arrow.index).trim();
    }
    let form = null;
    const selector = /^([#./]\S*)\s*/.exec(rest);
    if (selector) {
      form = selector[1];
      rest = rest.slice(selector[0].length);
    }
    let files = [];
    const split = rest.search(/(^|\s)files\s*\{/);
    if (split >= 0) {
      const named = jsonObject(rest.slice(rest.indexOf("{", split)), "the files", number);
      // A file the page already sends keeps its name and type; another is sent as bytes.
      const known = originals.flatMap((request) => request.files || []);
      files = Object.entries(named).map(([field, source]) => {
        const same = known.find((upload) => upload.field === field && upload.source === source);
        const filename = String(source).split("/").pop();
        return same || { field, source: String(source), filename, content_type: "application/octet-stream" };
      });
      rest = rest.slice(0, split).trim();
    }
    const fields = rest ? Object.entries(jsonObject(rest, "the fields", number)) : [];
    return {
      method: "",
      path: "",
      json: null,
      form: [],
      headers: [],
      status,
      show: [],
      submit: { form, fields: fields.map(([name, value]) => [name, typeof value === "boolean" ? value : String(value)]) },
      files,
    };
  }

  function readRequests(text, originals) {
    // Lines the reader left as they were, each with the requests it was written
    // for, in order: two alike lines may differ in what a line cannot spell.
    const byLine = new Map();
    originals.forEach((request) => {
      const line = requestLine(request);
      byLine.set(line, [...(byLine.get(line) || []), request]);
    });
    const requests = [];
    text.split("\n").forEach((raw, index) => {
      const line = raw.trim();
      if (!line) return;
      // An unchanged line keeps what it cannot spell (a form, headers, shown headers).
      const unchanged = byLine.get(line);
      if (unchanged && unchanged.length) return requests.push(unchanged.shift());
      if (/^SUBMIT\b/.test(line)) return requests.push(readSubmit(line, index + 1, originals));
      const match = /^([A-Z]+)\s+(\/\S*)(?:\s+(.*?))?(?:\s*->\s*(\d{3}))?$/.exec(line);
      if (!match) {
        throw new Error(
          `request line ${index + 1}: cannot read ${JSON.stringify(line)}; write METHOD /path, ` +
            'then optionally a JSON body and "-> status", e.g. POST /api/items {"name": "lamp"}; ' +
            'or SUBMIT to post the previous page\'s form, e.g. SUBMIT {"name": "Ada"}',
        );
      }
      const body = match[3] || null;
      if (body !== null) {
        try {
          JSON.parse(body);
        } catch (error) {
          throw new Error(`request line ${index + 1}: the body is not JSON (${error.message})`);
        }
      }
      requests.push({
        method: match[1],
        path: match[2],
        json: body,
        form: [],
        headers: [],
        status: match[4] ? Number(match[4]) : null,
        show: [],
        submit: null,
        files: [],
      });
    });
    return requests;
  }

  async function workerJob(box) {
    const job = blockJob(box);
    const shipped = await example(job.example);
    const files = { ...shipped.files };
    // What runs is what the reader sees: the editors while they are open, else the page's.
    const panel = box.querySelector(":scope > .ffg-edit:not([hidden])");
    const editors = panel ? panel.querySelectorAll("textarea[data-ffg-file]") : [];
    for (const editor of editors) files[editor.dataset.ffgFile] = editor.value;
    const requestEditor = panel && panel.querySelector("textarea[data-ffg-requests]");
    const requests = requestEditor ? readRequests(requestEditor.value, job.requests) : job.requests;
    // The block's own requests open on the answer it is about; a list the reader wrote, on its first.
    const own = requests.length === job.requests.length && requests.every((r, i) => r === job.requests[i]);
    return { ...shipped, files, requests, open: own ? job.open || 0 : 0 };
  }

  // --- Answers, as the build's tabs show them --------------------------------------------

  // The driver gives each header as the page shows it (site_app/shown.py: Allow sorted).
  function shownValues(answer, name) {
    return answer.shown_headers
      .filter(([key]) => key.toLowerCase() === name.toLowerCase())
      .map(([, value]) => value);
  }

  // Python's rstrip("\n"), as the build's tabs do; the page shows the rest as sent.
  const trimEnd = (text) => text.replace(/\n+$/, "");

  /** The Response text of a tab, line for line as render/html.py writes it. */
  function responseText(answer, request) {
    const head = [`HTTP/1.1 ${answer.status}`, `Content-Type: ${answer.content_type}`];
    // "cookies" is not a header: the cookies the client holds get a box of their own.
    const shown = (request.show || []).filter((name) => name.toLowerCase() !== "cookies");
    for (const name of ["Location", ...shown]) {
      const values = shownValues(answer, name);
      for (const value of values) head.push(`${name}: ${value}`);
      if (!values.length && name !== "Location") head.push(`${name}: (not sent)`);
    }
    const body = answer.pretty === null ? "" : answer.pretty;
    if (isHtml(answer) || isImage(answer)) return head.join("\n");
    const text = trimEnd(body);
    return [...head, ...(text ? ["", text] : [])].join("\n");
  }

  const isHtml = (answer) => answer.mimetype === "text/html" && (answer.pretty || "") !== "";
  const isImage = (answer) => answer.mimetype.startsWith("image/");

  function code(title, text) {
    const box = element("div", "highlight ffg-run-code");
    box.append(element("span", "filename", title));
    const pre = element("pre");
    // As an HTML parser reads the page's own code blocks: CR LF and a lone CR become LF.
    const lines = element("code", "", text.replace(/\r\n?/g, "\n"));
    // A long line scrolls: a keyboard reaches it, as Material makes the page's own code blocks.
    lines.tabIndex = 0;
    pre.append(lines);
    box.append(pre);
    return box;
  }

  function traceback(failure) {
    const box = element("pre", "ffg-traceback", `${failure.message}\n\n${failure.traceback}`.trim());
    box.setAttribute("role", "alert");
    if (failure.where) box.dataset.ffgWhere = failure.where;
    return box;
  }

  /** Tabs as Material's alternate style draws them: radio inputs, labels, blocks. */
  function tabs(panes, open) {
    const set = element("div", "tabbed-set tabbed-alternate ffg-run-tabs");
    const name = `ffg-run-${++tabSets}`;
    set.dataset.tabs = `${tabSets}:${panes.length}`;
    const labels = element("div", "tabbed-labels");
    const content = element("div", "tabbed-content");
    panes.forEach(([title, nodes], index) => {
      const input = element("input");
      input.type = "radio";
      input.name = name;
      input.id = `${name}-${index + 1}`;
      input.checked = index === Math.min(open, panes.length - 1);
      set.append(input);
      const label = element("label", "", title);
      label.htmlFor = input.id;
      labels.append(label);
      const block = element("div", "tabbed-block");
      block.append(...nodes);
      content.append(block);
    });
    set.append(labels, content);
    return set;
  }

  function render(output, result, requests, open) {
    const panes = result.answers.map((answer, index) => {
      const nodes = [code("Response", responseText(answer, requests[index] || {}))];
      if (isHtml(answer)) nodes.push(code("Response body", trimEnd(answer.pretty)));
      else if (isImage(answer) && answer.body_base64) {
        const image = element("img", "ffg-image");
        image.alt = `Image answered to ${answer.method} ${answer.path}`;
        image.src = `data:${answer.mimetype};base64,${answer.body_base64}`;
        nodes.push(image);
      }
      if (answer.cookies) nodes.push(code("Cookies the client holds now", answer.cookies.join("\n") || "(none)"));
      // A view that raises on purpose (a declared 5xx) shows no traceback, as on the page.
      if (!answer.expected) for (const failure of answer.raised) nodes.push(traceback(failure));
      return [`${answer.method} ${answer.path} → ${answer.status_code}`, nodes];
    });
    output.replaceChildren();
    if (panes.length) output.append(tabs(panes, open));
    if (result.error) output.append(traceback(result.error));
    if (!panes.length && !result.error) output.append(element("p", "ffg-status", "No requests to send."));
  }

  async function clicked(button) {
    const box = button.closest(".ffg-run");
    const output = box.querySelector(":scope > .ffg-run-output");
    const started = performance.now();
    const status = element("p", "ffg-status", "Starting…");
    status.setAttribute("aria-live", "polite");
    output.replaceChildren(status);
    button.disabled = true;
    try {
      const job = await workerJob(box);
      const answer = await run(job, (text) => {
        status.textContent = text;
      });
      answer.timings.click = performance.now() - started;
      render(output, answer.result, job.requests, job.open);
      output.dispatchEvent(new CustomEvent("ffg-answers", { detail: answer, bubbles: true }));
    } catch (error) {
      const message = String(error.message);
      output.replaceChildren(traceback({ message: "The example could not run.", traceback: message }));
      output.dispatchEvent(new CustomEvent("ffg-failed", { detail: { message }, bubbles: true }));
    } finally {
      button.disabled = false;
    }
  }

  // --- Edit and Reset ----------------------------------------------------------------------

  function editor(label, value, attribute, key) {
    const field = element("label", "ffg-editor-label");
    field.append(element("span", "filename", label));
    const area = element("textarea", "ffg-editor");
    area.value = value;
    area.spellcheck = false;
    area.setAttribute("autocapitalize", "off");
    area.rows = Math.min(24, Math.max(3, value.split("\n").length + 1));
    area.dataset[attribute] = key;
    area.dataset.ffgOriginal = value;
    field.append(area);
    return field;
  }

  /** Edit opens the editors, and closes them again: a closed editor keeps its text, and
   * Run then runs the page's code, as the reader sees it. */
  async function edit(button) {
    const box = button.closest(".ffg-run");
    const open = box.querySelector(":scope > .ffg-edit");
    if (open) {
      open.hidden = !open.hidden;
      button.setAttribute("aria-expanded", String(!open.hidden));
      button.textContent = open.hidden ? "Edit" : "Close the editor";
      if (!open.hidden) open.querySelector("textarea").focus();
      return;
    }
    const job = blockJob(box);
    button.disabled = true;
    try {
      const shipped = await example(job.example);
      const panel = element("div", "ffg-edit");
      panel.id = `ffg-edit-${++editors}`;
      for (const name of job.edit) {
        const text = shipped.files[name];
        if (typeof text === "string") {
          panel.append(editor(`${shipped.top}/${job.example}/${name}`, text, "ffgFile", name));
        }
      }
      const lines = job.requests.map(requestLine).join("\n");
      panel.append(editor("Requests, one a line", lines, "ffgRequests", "requests"));
      const reset = element("button", "md-button ffg-reset-button", "Reset");
      reset.type = "button";
      reset.dataset.ffgReset = "";
      panel.append(reset);
      box.querySelector(":scope > .ffg-run-output").before(panel);
      button.setAttribute("aria-controls", panel.id);
      button.setAttribute("aria-expanded", "true");
      button.textContent = "Close the editor";
      panel.querySelector("textarea").focus();
    } catch (error) {
      box
        .querySelector(":scope > .ffg-run-output")
        .replaceChildren(traceback({ message: "The example cannot be edited.", traceback: String(error.message) }));
    } finally {
      button.disabled = false;
    }
  }

  function reset(button) {
    const box = button.closest(".ffg-run");
    for (const area of box.querySelectorAll("textarea[data-ffg-original]")) {
      area.value = area.dataset.ffgOriginal;
    }
    box.querySelector(":scope > .ffg-run-output").replaceChildren();
  }

  function handle(target) {
    if ("ffgRun" in target.dataset) clicked(target);
    else if ("ffgEdit" in target.dataset) edit(target);
    else reset(target);
  }

  window.ffgRunner = { run, responseText, handle };
})();
