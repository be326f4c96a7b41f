// The in-browser runner's Web Worker: Python (Pyodide) runs here, off the page's thread.
//
// Everything comes from this file's own folder, by relative URL: the runtime
// from pyodide/, the wheels listed in manifest.json from wheels/ (with their
// bytecode from pycache/), and the Python driver from driver.py (with forms.py,
// cookies.py, pinned.py, instance.py, django_send.py,
// shown.py). Nothing is fetched before
// the first message.
//
// Fetched once per visit, not once per page: each file of this folder is kept
// in the browser's Cache Storage, in a cache named by this folder's path and
// the build's digest (manifest.json's "digest"), so a second page, a new tab
// or a reload reads it from there and downloads nothing; a new build's digest
// starts a new cache and deletes the old one. Where Cache Storage is missing
// (a page served over plain http from another host than localhost), files
// come from the network and the HTTP cache, as any other file of the site.
//
// A page's runner.js starts it as a SharedWorker where the browser has them (one
// Python for every page of the site open in the browser), else as its own Worker.
// Runs never overlap: the driver's run() is one synchronous call.
//
// Messages in:  {id, job}  where job = {example, top, module, framework, files, mtimes, setup,
//                                      config, requests, packages}
//   packages: the distributions the example needs, as manifest.json names them
//   ("flask", "flask_sqlalchemy", ...); installed on first need. Without it, all.
// Messages out: {id, kind: "status", text}
//               {id, kind: "progress", files: [[name, bytes so far, total bytes], ...]}
//               {id, kind: "result", result, timings}
//               {id, kind: "failure", message}

const here = new URL("./", import.meta.url);
const network = self.fetch.bind(self);
const CACHE = `ffg-runner ${here.pathname} `; // + the build's digest
let ready = null; // a promise of the loaded interpreter and the driver's run()
let store = null; // this build's cache, once opened
let sizes = {}; // file (relative to this folder) -> bytes, from manifest.json
const watching = new Set(); // [port, id] of each job waiting: each is told of downloads
const downloads = new Map(); // file -> [bytes so far, total], while it downloads
let told = 0; // when the progress was last posted (ms)

function status([port, id], text) {
  port.postMessage({ id, kind: "status", text });
}

function progress(force = false) {
  const now = performance.now();
  // A few updates a second: enough to see it move, few enough for a screen reader.
  if (!force && now - told < 400) return;
  told = now;
  const files = [...downloads].map(([name, [loaded, total]]) => [name, loaded, total]);
  for (const [port, id] of watching) port.postMessage({ id, kind: "progress", files });
}

/** The answer's body, counted into the progress line as it arrives. */
function counted(answer, name) {
  const total = sizes[name] || Number(answer.headers.get("content-length")) || 0;
  const reader = answer.body.getReader();
  downloads.set(name, [0, total]);
  progress(true);
  const body = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        downloads.delete(name);
        progress(true);
        controller.close();
        return;
      }
      downloads.get(name)[0] += value.byteLength;
      progress();
      controller.enqueue(value);
    },
    cancel(reason) {
      downloads.delete(name);
      return reader.cancel(reason);
    },
  });
  const { status: code, statusText, headers } = answer;
  return new Response(body, { status: code, statusText, headers });
}

/** fetch() for the files of this folder: from the cache, else counted and kept. */
async function runnerFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : input, here);
  if (!url.href.startsWith(here.href) || url.search) return network(input, init);
  const name = url.href.slice(here.href.length);
  if (store) {
    const kept = await store.match(url.href).catch(() => undefined);
    if (kept) return kept;
  }
  const answer = await network(url.href, init);
  if (!answer.ok || !answer.body) return answer;
  const seen = counted(answer, name);
  if (store) store.put(url.href, seen.clone()).catch(() => {});
  return seen;
}

// Pyodide fetches the interpreter, the standard library and the wheels with the
// global fetch(): through this folder's cache.
self.fetch = runnerFetch;

async function openCache(digest) {
  if (!self.caches || !digest) return null;
  try {
    const opened = await caches.open(CACHE + digest);
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE) && name !== CACHE + digest) caches.delete(name);
    }
    return opened;
  } catch {
    return null; // storage refused (a private window of some browsers): the network it is
  }
}

async function boot(asker) {
  const started = performance.now();
  status(asker, "Loading Python…");
  // Always asked of the server (a new build changes the digest), never of the cache.
  const manifest = await (await network(new URL("manifest.json", here), { cache: "no-cache" })).json();
  sizes = manifest.sizes || {};
  store = await openCache(manifest.digest);
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", here).href);
  const pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", here).href,
    // The build runs examples with a fixed hash seed; so does the browser.
    env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
    stdout: () => {},
    stderr: () => {},
  });
  const loaded = performance.now();
  const installed = new Map(); // distribution -> promise of its install
  const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  const compiled = manifest.pycache || {};

  async function installOne(names) {
    // Bytecode compiled at build time by this same Python: imports skip compiling.
    const bytecode = names
      .filter((name) => name in compiled)
      .map(async (name) => (await fetch(new URL(compiled[name], here))).arrayBuffer());
    const problems = [];
    // Each wheel is unpacked into site-packages as it is: pure Python, no dependency
    // resolution (a job lists every distribution it needs).
    await pyodide.loadPackage(
      names.map((name) => new URL(manifest.wheels[name], here).href),
      { messageCallback: () => {}, errorCallback: (text) => problems.push(text) },
    );
    if (problems.length) throw new Error(problems.join("\n"));
    for (const zip of await Promise.all(bytecode)) {
      pyodide.unpackArchive(zip, "zip", { extractDir: site });
    }
  }

  function install(asker, packages) {
    const wanted = packages || Object.keys(manifest.wheels);
    const unknown = wanted.filter((name) => !(name in manifest.wheels));
    if (unknown.length) throw new Error(`this site ships no wheel for ${unknown.join(", ")}`);
    const missing = wanted.filter((name) => !installed.has(name));
    if (missing.length) {
      status(asker, `Installing ${missing.join(", ")}…`);
      const done = installOne(missing);
      // A failed install may be tried again by the next click.
      done.catch(() => missing.forEach((name) => installed.delete(name)));
      for (const name of missing) installed.set(name, done);
    }
    return Promise.all(wanted.map((name) => installed.get(name)));
  }
  // The driver, and the build's own modules it uses (render/runner.py SHARED).
  pyodide.FS.mkdirTree("/home/pyodide/ffg");
  await Promise.all(
    ["driver", "forms", "cookies", "pinned", "instance", "django_send", "shown"].map(async (name) => {
      const source = await (await fetch(new URL(`${name}.py`, here))).text();
      pyodide.FS.writeFile(`/home/pyodide/ffg/_ffg_${name}.py`, source);
    }),
  );
  const driver = pyodide.runPython(
    "import sys; sys.path.insert(0, '/home/pyodide/ffg'); import _ffg_driver; _ffg_driver",
  );
  return { run: driver.run, install, boot: { load: loaded - started } };
}

/** One job from a page: ``port`` is the page's end (a SharedWorker has one per page). */
async function handle(port, { id, job }) {
  const asker = [port, id];
  watching.add(asker);
  try {
    const first = ready === null;
    if (first) ready = boot(asker);
    let runtime;
    try {
      runtime = await ready;
    } catch (error) {
      ready = null; // let the next click try again
      throw error;
    }
    const installing = performance.now();
    await runtime.install(asker, job.packages);
    watching.delete(asker);
    status(asker, "Running…");
    const started = performance.now();
    const result = JSON.parse(runtime.run(JSON.stringify(job)));
    const timings = { install: started - installing, run: performance.now() - started };
    if (first) Object.assign(timings, runtime.boot);
    port.postMessage({ id, kind: "result", result, timings });
  } catch (error) {
    port.postMessage({ id, kind: "failure", message: String((error && error.message) || error) });
  } finally {
    watching.delete(asker);
  }
}

// A dedicated worker hears its page on itself; a shared one gets a port per page.
self.onmessage = (event) => handle(self, event.data);
self.onconnect = (event) => {
  const [port] = event.ports;
  port.onmessage = (message) => handle(port, message.data);
  port.start();
};
