// The in-browser runner's Web Worker: Python (Pyodide) runs here, off the page's thread.
//
// Everything comes from this file's own folder, by relative URL: the runtime
// from pyodide/, the wheels listed in manifest.json from wheels/, and the
// Python driver from driver.py. Nothing is fetched before the first message.
//
// Messages in:  {id, job}  where job = {example, module, files, setup, config, requests}
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
  status(id, "Installing Flask…");
  await pyodide.loadPackage(new URL(manifest.micropip, here).href);
  const micropip = pyodide.pyimport("micropip");
  const urls = manifest.wheels.map((wheel) => new URL(wheel, here).href);
  // deps=False: every wheel needed is listed, and nothing may come from another host.
  await micropip.install.callKwargs(urls, { deps: false });
  const driverSource = await (await fetch(new URL("driver.py", here))).text();
  pyodide.FS.mkdirTree("/home/pyodide/ffg");
  pyodide.FS.writeFile("/home/pyodide/ffg/_ffg_driver.py", driverSource);
  const driver = pyodide.runPython(
    "import sys; sys.path.insert(0, '/home/pyodide/ffg'); import _ffg_driver; _ffg_driver",
  );
  const installed = performance.now();
  return {
    run: driver.run,
    boot: { load: loaded - started, install: installed - loaded },
  };
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
    status(id, "Running…");
    const started = performance.now();
    const result = JSON.parse(runtime.run(JSON.stringify(job)));
    const timings = { run: performance.now() - started };
    if (first) Object.assign(timings, runtime.boot);
    self.postMessage({ id, kind: "result", result, timings });
  } catch (error) {
    self.postMessage({ id, kind: "failure", message: String(error && error.message || error) });
  }
};
