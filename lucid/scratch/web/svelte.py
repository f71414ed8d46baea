"""Svelte 2 components in notebooks: the `%%html_define_svelte Name` cell magic of the Building Blocks notebooks.

    %%html_define_svelte GroupWidget
    <div>{{title}}</div>
    ...
    lucid_svelte.GroupWidget({"title": "hello"})   # in a later cell: shows it with that data

(`import lucid.scratch.web.svelte as lucid_svelte`: the component becomes an attribute of this module.) A component
already compiled to JavaScript is used as is: `SvelteComponent("Name", "Name.js")`.

Components are compiled with the Svelte 2 compiler (`svelte@2.16.1`, pinned: Svelte 3 and later cannot compile these
components nor offer their `new C({target, data})` API), run by Node.js. The notebooks' components are written in
Svelte 1's template syntax (`{{name}}`, `{{#each ...}}`): a component containing "{{" is first converted to Svelte 2
syntax by Svelte's own converter, `svelte-upgrade@1.0.16`. Both live in `$LUCID_SVELTE_DIR`, else in
`svelte@2.16.1/` under lucid's cache directory (`LUCID_CACHE_DIR`, default `~/.cache/lucid`); when missing they are
installed there on first use (or ahead of time, e.g. before going offline, with
`python -m lucid.scratch.web.svelte install`). Node.js and npm come from your system's packages
(`apt-get install nodejs npm`) or https://nodejs.org.

The toolchain runs as you, so it is installed and used like code lucid ships: `npm ci --ignore-scripts` from the
lockfile in svelte_toolchain/ (every package pinned with its integrity hash, no install scripts), into a directory
only you can write (created 0700), and its files are checked against TOOLCHAIN_SHA256 before each use. A toolchain
with a changed, missing or extra file (a planted compiler) is not run.
"""

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid

import IPython

from lucid.misc.io import reading
from lucid.misc.io.reading import read
from lucid.misc.io.showing import _display_html
from lucid.misc.io.writing import write_handle
from lucid.scratch.web import js_literal

SVELTE_VERSION = "2.16.1"
SVELTE_UPGRADE_VERSION = "1.0.16"

# Reads the component from stdin, converts Svelte 1 syntax when asked, writes the compiled self-contained script (an
# IIFE defining the global class `name`) to stdout. Arguments: node_modules directory, name, "upgrade" or "".
_COMPILE_JS = """
const [modules, name, upgrade] = process.argv.slice(1);
let source = require("fs").readFileSync(0, "utf8");
if (upgrade) source = require(modules + "/svelte-upgrade").upgradeTemplate(source);
const result = require(modules + "/svelte").compile(source, {format: "iife", name: name});
process.stdout.write(result.js.code);
"""


def js_id(name):
    """A fresh JavaScript identifier for an instance or component named `name`: `name` + "_" + a random uuid."""
    return name + "_" + str(uuid.uuid4()).replace("-", "_")


def _identifier(name):
    """`name` made a valid JavaScript identifier: every other character becomes "_"; a leading digit gets "_"."""
    identifier = re.sub(r"[^A-Za-z0-9_$]", "_", str(name))
    return "_" + identifier if not identifier or identifier[0].isdigit() else identifier


def compiler_dir():
    """The directory whose node_modules/svelte is the Svelte 2 compiler (see the module docstring)."""
    return os.environ.get("LUCID_SVELTE_DIR") or os.path.join(reading.cache_dir(), "svelte@" + SVELTE_VERSION)


def _require(tool, how):
    path = shutil.which(tool)
    if path is None:
        raise FileNotFoundError(
            "%%html_define_svelte needs %s on PATH to %s: install Node.js and npm (e.g. `apt-get install nodejs npm`, "
            "or from https://nodejs.org), then rerun the cell." % (tool, how)
        )
    return path


# The package.json and package-lock.json the toolchain is installed from.
_LOCKFILE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "svelte_toolchain")
# _tree_digest of the node_modules that `npm ci` installs from that lockfile.
TOOLCHAIN_SHA256 = "df7967256a740ab6dec2c2983633a9036aa0e78be9e31fb39857d8609151eccc"


def _tree_digest(modules):
    """sha256 over the relative path and content of every file under `modules` (a symlink: its target), except
    npm's .bin links and .package-lock.json record, which lucid never runs."""
    digest = hashlib.sha256()
    for root, directories, files in os.walk(modules):
        relative_root = os.path.relpath(root, modules)
        if relative_root == ".":
            directories[:] = [name for name in directories if name != ".bin"]
        directories.sort()
        links = [name for name in directories if os.path.islink(os.path.join(root, name))]
        for name in sorted(files + links):
            relative, path = os.path.normpath(os.path.join(relative_root, name)), os.path.join(root, name)
            if relative == ".package-lock.json":
                continue
            digest.update(relative.encode() + b"\0")
            if os.path.islink(path):
                digest.update(b"symlink to " + os.readlink(path).encode())
            elif os.path.isfile(path):
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
            else:
                digest.update(b"special file")
    return digest.hexdigest()


def _private_directory(directory):
    """Create `directory` (mode 0700), or check that it is a directory of this user that no one else can write."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise RuntimeError(
            "The Svelte toolchain directory %s is not a directory that only you can write (its owner or mode allow "
            "others to change the compiler lucid runs). Use one that only you can write (`chmod 700`), or set "
            "LUCID_SVELTE_DIR to another directory." % directory
        )


def install_compiler():
    """Install the pinned compiler and converter into compiler_dir() unless there, check their files against
    TOOLCHAIN_SHA256, and return their node_modules path."""
    directory = compiler_dir()
    _private_directory(directory)
    modules = os.path.join(directory, "node_modules")
    if not os.path.lexists(modules):
        npm = _require("npm", "install the Svelte 2 compiler")
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(os.path.join(_LOCKFILE_DIR, name), os.path.join(directory, name))
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(modules, ignore_errors=True)
            raise RuntimeError(
                "Could not install the Svelte 2 compiler into %s (%s). Run `npm ci --ignore-scripts` in a copy of %s "
                "where npm works and set LUCID_SVELTE_DIR to it." % (directory, result.stderr.strip(), _LOCKFILE_DIR)
            )
    if _tree_digest(modules) != TOOLCHAIN_SHA256:
        raise RuntimeError(
            "The Svelte toolchain in %s does not match lucid's lockfile (a changed, missing or extra file, e.g. a "
            "planted compiler), so it is not run. Delete %s and rerun to install it again." % (modules, modules)
        )
    return modules


def compile_svelte(source, name):
    """JavaScript defining the component class `name` (a global) compiled from `source` (Svelte 2, or 1 with "{{")."""
    modules = install_compiler()
    node = _require("node", "run the Svelte 2 compiler")
    upgrade = "upgrade" if "{{" in source else ""
    command = [node, "-e", _COMPILE_JS, modules, _identifier(name), upgrade]
    result = subprocess.run(command, input=source, capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError("Svelte could not compile component %s:\n%s" % (name, result.stderr.strip()))
    return result.stdout


def build_svelte(html_fname):
    """Compile the component file NAME.html to NAME.js beside it, defining the class NAME; return its path."""
    js_fname = html_fname.replace(".html", ".js")
    with open(html_fname, encoding="utf-8") as handle:
        code = compile_svelte(handle.read(), os.path.splitext(os.path.basename(html_fname))[0])
    with write_handle(js_fname, "w") as handle:
        handle.write(code)
    return js_fname


def _script_safe(text):
    """Text that cannot end the <script> element it is put in (`</script` and `<!--` are neutralised)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


_template = """
  <div id='$id'></div>
  <script>
  $js
  </script>
  <script>
    var app = new $name({
        target: document.querySelector('#$id'),
        data: $data,
      });
  </script>
 """


def component_html(js_code, name, data):
    """HTML that defines the compiled component class `name` and mounts one instance with `data` (JSON-able)."""
    if not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", name):
        raise ValueError("A Svelte component's name must be a JavaScript identifier (its class name), got %r." % name)
    values = {"id": js_id(name), "js": _script_safe(js_code), "name": name, "data": js_literal(data)}
    # One pass, so that "$name" or "$data" inside the component's code stays as it is.
    return re.sub(r"\$(id|js|name|data)", lambda match: values[match.group(1)], _template)


def SvelteComponent(name, path):
    """A function displaying instances of the component class `name`: `f(data_dict)`. `path` is its compiled
    JavaScript (a .js file, used as is) or its source (a .html file, compiled to a .js file beside it)."""
    if path.endswith(".html"):
        print("Trying to build svelte component from html...")
        path = build_svelte(path)
    elif not path.endswith(".js"):
        raise ValueError("SvelteComponent takes a compiled .js file or a .html component, got %r." % path)
    js_content = read(path, encoding="utf-8")

    def inner(data):
        _display_html(component_html(js_content, name, data))

    return inner


def html_define_svelte(line, cell):
    """Cell magic `%%html_define_svelte Name`: compile the cell into a component; `lucid_svelte.Name(data)` (this
    module's attribute) displays it."""
    words = line.split()
    if not words or not words[0].isidentifier():
        raise ValueError("Use `%%%%html_define_svelte Name` with a Python identifier as Name, got %r." % line)
    base_name = words[0]
    id_str = js_id(base_name)
    with tempfile.TemporaryDirectory(prefix="svelte_") as directory:
        html_fname = os.path.join(directory, id_str + ".html")
        with open(html_fname, "w", encoding="utf-8") as handle:
            handle.write(cell)
        globals()[base_name] = SvelteComponent(id_str, html_fname)


if IPython.get_ipython() is not None:
    IPython.get_ipython().register_magic_function(html_define_svelte, magic_kind="cell")


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m lucid.scratch.web.svelte install")
    print(install_compiler())
