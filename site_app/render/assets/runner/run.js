// The in-browser runner's only file on every page: small, and it starts nothing.
//
// A classic script (so it still runs from file://, where browsers refuse to
// fetch, to say why Python cannot load there). The first click on a block's
// Run, Edit or Reset button loads runner.js from this file's folder and hands
// it the click; runner.js starts the Web Worker that loads Python.

(() => {
  "use strict";

  const here = new URL("./", document.currentScript.src);
  let loading = null;

  function load() {
    if (loading === null) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL("runner.js", here).href;
        script.onload = () => resolve(window.ffgRunner);
        script.onerror = () => {
          loading = null;
          reject(new Error(`${script.src} did not load`));
        };
        document.head.append(script);
      });
    }
    return loading;
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-ffg-run], [data-ffg-edit], [data-ffg-reset]");
    if (!target || !target.closest(".ffg-run")) return;
    load().then(
      (runner) => runner.handle(target),
      (error) => {
        const output = target.closest(".ffg-run").querySelector(".ffg-run-output");
        const box = document.createElement("pre");
        box.className = "ffg-traceback";
        box.setAttribute("role", "alert");
        box.textContent = `The example could not run.\n\n${error.message}`;
        output.replaceChildren(box);
      },
    );
  });

  function offline() {
    // Browsers refuse to fetch from file:// pages, so Python could not load.
    if (location.protocol !== "file:") return;
    for (const box of document.querySelectorAll(".ffg-run")) {
      if (box.querySelector(".ffg-run-file")) continue;
      for (const button of box.querySelectorAll("button")) button.remove();
      const note = document.createElement("span");
      note.className = "ffg-run-note ffg-run-file";
      note.textContent =
        "Running this example needs the site served over http(s): opened from a file, " +
        "the browser cannot load Python. Serve the folder (python -m http.server) and reload.";
      box.prepend(note);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", offline);
  else offline();
  // Material's instant navigation swaps pages without a load event.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(offline);
})();
