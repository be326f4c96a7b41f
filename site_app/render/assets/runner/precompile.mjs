// Compile the runner's wheels to bytecode with the very Python the browser runs.
//
//   node precompile.mjs PYODIDE_DIR OUT_DIR WHEEL...
//
// Pyodide runs here in Node, installs the wheels, compiles every module with
// unchecked-hash .pyc files (valid whatever the source file's time), and writes
// one zip per distribution, OUT_DIR/<name>.pyc.zip, holding its __pycache__
// folders. The worker unpacks a distribution's zip after installing its wheel,
// so the reader's first import does not compile Flask from source. Entries
// are sorted and dated 2026-01-01, and the hash seed is fixed: the same inputs
// give the same bytes. The build runs this; the site does not ship it.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, outDir, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.resolve(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: `${path.resolve(pyodideDir)}/`,
  env: { PYTHONHASHSEED: "0" },
  stdout: () => {},
});
await pyodide.loadPackage(
  wheels.map((wheel) => path.resolve(wheel)),
  { messageCallback: () => {} },
);
const zips = pyodide.runPython(`
import importlib.metadata, importlib.util, io, json, os, py_compile, sysconfig, zipfile

site = sysconfig.get_paths()["purelib"]
zips = {}
for dist in importlib.metadata.distributions(path=[site]):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for relative in sorted(str(f) for f in dist.files if str(f).endswith(".py")):
            source = os.path.join(site, relative)
            target = importlib.util.cache_from_source(source)
            py_compile.compile(
                source, cfile=target, dfile=source, doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            entry = zipfile.ZipInfo(os.path.relpath(target, site), (2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with open(target, "rb") as compiled:
                archive.writestr(entry, compiled.read())
    name = dist.metadata["Name"].lower().replace("-", "_").replace(".", "_")
    zips[name] = buffer.getvalue().hex()
json.dumps(zips)
`);
fs.mkdirSync(outDir, { recursive: true });
for (const [name, hex] of Object.entries(JSON.parse(zips))) {
  fs.writeFileSync(path.join(outDir, `${name}.pyc.zip`), Buffer.from(hex, "hex"));
}

// The standard library too: the same zip with an unchecked-hash .pyc beside
// every .py (zipimport looks there first), so importing Flask compiles none
// of email, http, logging... in the reader's browser. The worker loads it in
// place of Pyodide's python_stdlib.zip.
pyodide.FS.writeFile("/tmp/python_stdlib.zip", fs.readFileSync(path.join(pyodideDir, "python_stdlib.zip")));
pyodide.runPython(`
import importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

where = next(entry for entry in sys.path if entry.endswith(".zip"))  # /lib/python314.zip

with zipfile.ZipFile("/tmp/python_stdlib.zip") as source, zipfile.ZipFile(
    "/tmp/python_stdlib.pyc.zip", "w", zipfile.ZIP_DEFLATED
) as target:
    for info in sorted(source.infolist(), key=lambda i: i.filename):
        data = source.read(info)
        entry = zipfile.ZipInfo(info.filename, (2026, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(entry, data)
        if info.filename.endswith(".py"):
            code = compile(data, f"{where}/{info.filename}", "exec", dont_inherit=True)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            compiled = zipfile.ZipInfo(info.filename + "c", (2026, 1, 1, 0, 0, 0))
            compiled.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(compiled, bytes(pyc))
`);
fs.writeFileSync(path.join(outDir, "python_stdlib.zip"), pyodide.FS.readFile("/tmp/python_stdlib.pyc.zip"));
