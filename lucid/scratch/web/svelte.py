"""Svelte 2 components in notebooks: the `%%html_define_svelte Name` cell magic of the Building Blocks notebooks.

    %%html_define_svelte GroupWidget
    <div>{{title}}</div>
    ...
    GroupWidget({"title": "hello"})   # in a later cell (or lucid_svelte.GroupWidget): shows it with that data

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
import json
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
from lucid.misc.io.showing import _display_html

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
    command = [node, "-e", _COMPILE_JS, modules, js_id(name), upgrade]
    result = subprocess.run(command, input=source, capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError("Svelte could not compile component %s:\n%s" % (name, result.stderr.strip()))
    return result.stdout


def build_svelte(html_fname):
    """Compile the component file NAME.html to NAME.js beside it, defining the class NAME; return its path."""
    base = os.path.splitext(html_fname)[0]
    with open(html_fname, encoding="utf-8") as handle:
        code = compile_svelte(handle.read(), os.path.basename(base))
    js_fname = base + ".js"
    with open(js_fname, "w", encoding="utf-8") as handle:
        handle.write(code)
    return js_fname


def _script_safe(text):
    """Text that cannot end the <script> element it is put in (`</script` and `<!--` are neutralised)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def component_html(js_code, name, data):
    """HTML that defines the compiled component `name` and mounts one instance with `data` (JSON-serializable)."""
    div_id = "svelte-" + uuid.uuid4().hex
    data_json = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        '<div id="%s"></div>\n<script>\n%s\nnew %s({target: document.getElementById("%s"), data: %s});\n</script>'
        % (div_id, _script_safe(js_code), js_id(name), div_id, data_json)
    )


def SvelteComponent(name, path):
    """Compile the component file `path` and return a function that displays an instance: `f(data_dict)`."""
    with open(build_svelte(path), encoding="utf-8") as handle:
        js_code = handle.read()
    class_name = os.path.splitext(os.path.basename(path))[0]

    def show(data=None):
        _display_html(component_html(js_code, class_name, data or {}))

    show.__name__ = js_id(name)
    return show


def html_define_svelte(line, cell):
    """Cell magic `%%html_define_svelte Name`: compile the cell; `Name(data)` (in the notebook, and as an attribute
    of this module) displays the component."""
    words = line.split()
    if not words or not words[0].isidentifier():
        raise ValueError("Use `%%%%html_define_svelte Name` with a Python identifier as Name, got %r." % line)
    name = words[0]
    with tempfile.TemporaryDirectory(prefix="lucid_svelte_") as directory:
        html_fname = os.path.join(directory, "%s_%s.html" % (name, uuid.uuid4().hex))
        with open(html_fname, "w", encoding="utf-8") as handle:
            handle.write(cell)
        component = SvelteComponent(name, html_fname)
    # As in the original, the component becomes an attribute of this module (`lucid_svelte.Name(data)` in the
    # notebooks), and a name in the notebook too.
    globals()[name] = component
    shell = IPython.get_ipython()
    if shell is not None:
        shell.user_ns[name] = component


if IPython.get_ipython() is not None:
    IPython.get_ipython().register_magic_function(html_define_svelte, magic_kind="cell")


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m lucid.scratch.web.svelte install")
    print(install_compiler())
