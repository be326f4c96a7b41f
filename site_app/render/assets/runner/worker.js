// The in-browser runner's Web Worker: Python (Pyodide) runs here, off the page's thread.
//
// Everything comes from this file's own folder, by relative URL: the runtime
// from pyodide/, the wheels listed in manifest.json from wheels/, and the
// Python driver from driver.py (with forms.py, cookies.py, pinned.py, instance.py,
// django_send.py, shown.py).
// Nothing is fetched before the first message.
//
// Messages in:  {id, job}  where job = {example, top, module, framework, files, mtimes, setup,
//                                      config, requests, packages}
//   packages: the distributions the example needs, as manifest.json names them
//   ("flask", "flask_sqlalchemy", ...); installed on first need. Without it, all.
// Messages out: {id, kind: "status", text}
//               {id, kind: "result", result, timings}
//               {id, kind: "failure", message}

const here = new URL("./", import.meta.url);
let ready = null; // a promise of the loaded interpreter and the driver's run()

function status(id, text) {
  self.postMessage({ id, kind: "status", text });
}

async function boot(id) {
  const started = performance.now();
  status(id, "Loading Python…");
  const manifest = await (await fetch(new URL("manifest.json", here))).json();
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", here).href);
  const pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", here).href,
    // The build runs examples with a fixed hash seed; so does the browser.
    env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
    stdout: () => {},
    stderr: () => {},
  });
  const loaded = performance.now();
  await pyodide.loadPackage(new URL(manifest.micropip, here).href);
  const micropip = pyodide.pyimport("micropip");
  const installed = new Set();
  async function install(id, packages) {
    const wanted = packages || Object.keys(manifest.wheels);
    const unknown = wanted.filter((name) => !(name in manifest.wheels));
    if (unknown.length) throw new Error(`this site ships no wheel for ${unknown.join(", ")}`);
    const missing = wanted.filter((name) => !installed.has(name));
    if (!missing.length) return;
    status(id, `Installing ${missing.join(", ")}…`);
    const urls = missing.map((name) => new URL(manifest.wheels[name], here).href);
    // deps=False: a job lists every wheel it needs, and nothing may come from another host.
    await micropip.install.callKwargs(urls, { deps: false });
    // Bytecode compiled at build time by this same Python: imports skip compiling.
    const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
    const compiled = manifest.pycache || {};
    await Promise.all(
      missing
        .filter((name) => name in compiled)
        .map(async (name) => {
          const zip = await (await fetch(new URL(compiled[name], here))).arrayBuffer();
          pyodide.unpackArchive(zip, "zip", { extractDir: site });
        }),
    );
    for (const name of missing) installed.add(name);
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

self.onmessage = async (event) => {
  const { id, job } = event.data;
  try {
    const first = ready === null;
    if (first) ready = boot(id);
    let runtime;
    try {
      runtime = await ready;
    } catch (error) {
      ready = null; // let the next click try again
      throw error;
    }
    const installing = performance.now();
    await runtime.install(id, job.packages);
    status(id, "Running…");
    const started = performance.now();
    const result = JSON.parse(runtime.run(JSON.stringify(job)));
    const timings = { install: started - installing, run: performance.now() - started };
    if (first) Object.assign(timings, runtime.boot);
    self.postMessage({ id, kind: "result", result, timings });
  } catch (error) {
    self.postMessage({ id, kind: "failure", message: String(error && error.message || error) });
  }
};
