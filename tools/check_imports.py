"""Fail on import cycles inside netdash/ and on private names used across its packages.

netdash is packaged by stage (ingest, store, networks, metrics, change, actions,
viz, report); each package's ``__init__`` exports what the others may use.
This script reads the source (it imports nothing) and reports:

- a cycle among netdash modules, through any import (one made inside a
  function too: a cycle deferred to first use still marks a piece that
  sits in the wrong module);
- a private name (``_name``, or a module ``_name``) imported or used as an
  attribute across packages: from another subpackage of netdash, or from
  ``pages/``, ``streamlit_app.py``, ``bench/`` or ``tools/`` into
  ``netdash``.

Usage: ``python tools/check_imports.py`` (exit status 1 and one line per
problem if any are found). ``tests/test_layout.py`` runs it.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = ("pages", "bench", "tools")


def module_name(path):
    """``netdash/metrics/brokerage.py`` -> ``netdash.metrics.brokerage`` (packages by their ``__init__``)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module, modules):
    """The package a module belongs to: itself for a package, else its parent."""
    if module in modules and modules[module].name == "__init__.py":
        return module
    return module.rpartition(".")[0]


def stage_of(module):
    """The stage a netdash module belongs to: ``netdash.metrics.x`` -> ``netdash.metrics``; root modules are their own."""
    parts = module.split(".")
    return ".".join(parts[:2])


def source_files():
    files = sorted((ROOT / "netdash").rglob("*.py"))
    for folder in OUTSIDE:
        files += sorted((ROOT / folder).rglob("*.py"))
    files.append(ROOT / "streamlit_app.py")
    return files


def _resolve(node, module, is_package):
    """The absolute module a ``from ... import`` names."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def scan():
    """``(edges, problems)``: load-time import edges between netdash modules, and private-name problems."""
    files = {module_name(p): p for p in source_files()}
    netdash = {m for m in files if m.split(".")[0] == "netdash"}
    edges, problems = {}, []

    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        here = stage_of(module) if module in netdash else module.split(".")[0]
        where = path.relative_to(ROOT)
        aliases = {}  # local name -> the netdash module or object it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "netdash":
                        aliases[alias.asname or alias.name] = alias.name
                        _check_path(alias.name, here, where, node.lineno, problems)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(node, module, is_package)
                if source.split(".")[0] != "netdash":
                    continue
                _check_path(source, here, where, node.lineno, problems)
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    aliases[alias.asname or alias.name] = full
                    if _is_private(alias.name) and stage_of(source) != here:
                        problems.append(f"{where}:{node.lineno}: imports private {full} from another package")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _is_private(node.attr)
                    and stage_of(aliases[node.value.id]) != here):
                problems.append(f"{where}:{node.lineno}: uses private {aliases[node.value.id]}.{node.attr} "
                                "from another package")
        if module in netdash:
            deps = set()
            for node in ast.walk(tree):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    source = _resolve(node, module, is_package)
                    names = [source] + [f"{source}.{a.name}" for a in node.names]
                for name in names:
                    # "import netdash.a.b" loads netdash, netdash.a and netdash.a.b
                    parts = name.split(".")
                    for k in range(1, len(parts) + 1):
                        prefix = ".".join(parts[:k])
                        if prefix in netdash and prefix != module:
                            deps.add(prefix)
            edges[module] = deps
    return edges, problems


def _check_path(name, here, where, line, problems):
    private = [part for part in name.split(".")[1:] if _is_private(part)]
    if private and stage_of(name) != here:
        problems.append(f"{where}:{line}: imports private module {name} from another package")


def cycles(edges):
    """Each import cycle once, as a list of modules (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            # a package's __init__ importing its own submodules is how packages export; a submodule
            # importing its package is then the only way round, which Python loads without a deadlock
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def _without_package_parents(edges):
    """Drop the edges from a module to the packages that contain it.

    ``from netdash.metrics.matrix import GraphMatrix`` loads
    ``netdash.metrics`` first, whose ``__init__`` imports its submodules:
    Python loads the package before the submodule, never the other way
    round, so this is no cycle.
    """
    return {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in edges.items()}


def main():
    edges, problems = scan()
    for component in cycles(_without_package_parents(edges)):
        problems.append("import cycle: " + " <-> ".join(component))
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problem(s): see tools/check_imports.py for the rules.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
