#!/usr/bin/python3
"""check_spack_package.py SOURCE_DIR [PACKAGE_PY]: the Spack recipe packaging/spack/packages/cortexsim/package.py, checked
without Spack (the CTest `packaging_spack`; docs/install.md says what this covers and what it does not).

1. It parses (ast), and defines one class `Cortexsim(CMakePackage)` with a docstring.
2. It is executed against a small stub of the `spack.package` API defined here (directives record their
   arguments), which catches misspelt directives, bad arguments and errors in the class body.
3. Its dependencies match the CMake build: every find_package / pkg_check_modules of the CMakeLists.txt files
   (the tests' ones too) maps to a depends_on (test-only packages with type="test"), the version minimums and
   components (Boost serialization, HDF5 HL) and the parallel HDF5 are required, the cmake version is the
   cmake_minimum_required, and no depends_on is left over that the build does not find (except the build tools
   and the `python` variant's run-time packages).
4. cmake_args() with stub specs: every -D names an option()/variable of CMakeLists.txt; CORTEXSIM_BUILD_TESTS
   follows `spack install --test`, CORTEXSIM_NATIVE the `native` variant.
5. The folders install_data() copies exist, and the default git URL points at this checkout.
Fails (exit 1) with one line per problem.
"""
import ast
import contextlib
import importlib.util
import os
import re
import sys
import tempfile
import types

src = os.path.abspath(sys.argv[1])
recipe = sys.argv[2] if len(sys.argv) > 2 else os.path.join(src, "packaging", "spack", "packages", "cortexsim", "package.py")
problems = []


def problem(msg):
    problems.append(msg)


# ---- 1. syntax and shape ----------------------------------------------------------------------------------
text = open(recipe, encoding="utf-8").read()
tree = ast.parse(text, recipe)
classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
if [c.name for c in classes] != ["Cortexsim"]:
    problem(f"expected one class Cortexsim, found {[c.name for c in classes]}")
elif [b.id for b in classes[0].bases if isinstance(b, ast.Name)] != ["CMakePackage"]:
    problem("class Cortexsim must derive from CMakePackage")
elif not ast.get_docstring(classes[0]):
    problem("class Cortexsim has no docstring (spack info shows it)")

# ---- 2. execute against a stub of spack.package ----------------------------------------------------------
directives = []  # (name, args, kwargs, when)
when_stack = []


def _directive(name):
    def record(*args, **kwargs):
        if "when" not in kwargs and when_stack:
            kwargs["when"] = " ".join(when_stack)
        directives.append((name, args, kwargs))
    return record


@contextlib.contextmanager
def when(condition):
    when_stack.append(condition)
    yield
    when_stack.pop()


class Prefix(str):
    def __getattr__(self, name):
        return Prefix(os.path.join(self, name))


class Spec:
    def __init__(self, variants, prefix="/stub/prefix"):
        self.variants, self.prefix = variants, Prefix(prefix)

    def satisfies(self, constraint):
        m = re.fullmatch(r"([+~])(\w+)", constraint)
        if not m:
            raise ValueError(f"stub spec: cannot test '{constraint}'")
        return self.variants[m.group(2)] == (m.group(1) == "+")


class CMakePackage:
    run_tests = False

    def __init__(self, spec):
        self.spec, self.prefix = spec, spec.prefix

    @staticmethod
    def define(name, value):
        if isinstance(value, bool):
            value = "ON" if value else "OFF"
        elif isinstance(value, (list, tuple)):
            value = ";".join(map(str, value))
        return f"-D{name}={value}"

    def define_from_variant(self, name, variant):
        if variant not in self.spec.variants:
            raise KeyError(f"define_from_variant: no variant '{variant}'")
        return self.define(name, self.spec.variants[variant])


def run_after(phase, when=None):
    if phase not in ("cmake", "build", "install"):
        raise ValueError(f"run_after: no phase '{phase}' in a CMakePackage")
    return lambda f: f


def on_package_attributes(**attrs):
    return lambda f: f


stub = types.ModuleType("spack.package")
stub.__dict__.update(dict(
    CMakePackage=CMakePackage, when=when, run_after=run_after, on_package_attributes=on_package_attributes,
    join_path=os.path.join, install_tree=lambda a, b: None, Executable=lambda path: (lambda *a, **k: None),
    **{d: _directive(d) for d in ("version", "variant", "depends_on", "conflicts", "maintainers", "license",
                                  "patch", "resource", "provides", "requires")}))
stub.__all__ = [k for k in stub.__dict__ if not k.startswith("_")]
spack = types.ModuleType("spack")
spack.package = stub
sys.modules["spack"], sys.modules["spack.package"] = spack, stub
spec_ = importlib.util.spec_from_file_location("cortexsim_recipe", recipe)
module = importlib.util.module_from_spec(spec_)
try:
    spec_.loader.exec_module(module)
except Exception as e:  # noqa: BLE001 -- any error in the class body is a broken recipe
    print(f"FAIL: {recipe} does not load against the spack.package stub: {type(e).__name__}: {e}")
    sys.exit(1)
Cortexsim = module.Cortexsim

variants = {a[0]: k.get("default") for n, a, k in directives if n == "variant"}
versions = [a[0] for n, a, k in directives if n == "version"]
if not versions:
    problem("no version()")
deps = {}  # spack name -> list of (spec string, kwargs)
for n, a, k in directives:
    if n == "depends_on":
        name = re.match(r"[A-Za-z0-9_-]+", a[0]).group(0)
        deps.setdefault(name, []).append((a[0], k))


def dep_specs(name):
    return " ".join(s for s, _ in deps.get(name, []))


# ---- 3. dependencies against the CMake build ---------------------------------------------------------------
# CMake package (find_package) or pkg-config module (pkg_check_modules) -> Spack package
CMAKE_TO_SPACK = {"MPI": "mpi", "PkgConfig": "pkgconfig", "PETSc": "petsc", "HDF5": "hdf5", "hdf5-openmpi": "hdf5",
                  "Boost": "boost", "yaml-cpp": "yaml-cpp", "GTest": "googletest", "ZLIB": "zlib-api",
                  "matio": "matio"}
found = []  # (cmake name, version, components, file)
for root, dirs, files in os.walk(src):
    dirs[:] = [d for d in dirs if not d.startswith((".", "build")) and d != "install"]  # tests/install: downstream
    for f in files:
        if f != "CMakeLists.txt":
            continue
        path = os.path.join(root, f)
        cm = open(path, encoding="utf-8").read()
        for m in re.finditer(r"find_package\(\s*([\w-]+)([^)]*)\)", cm):
            ver = re.match(r"\s*([0-9.]+)", m.group(2))
            comps = re.search(r"COMPONENTS\s+([^)]*)", m.group(2))
            found.append((m.group(1), ver.group(1) if ver else None, comps.group(1).split() if comps else [], path))
        for m in re.finditer(r"pkg_check_modules\(\s*\w+([^)]*)\)", cm):
            mods = [w for w in m.group(1).split() if w not in ("REQUIRED", "QUIET", "IMPORTED_TARGET", "GLOBAL")]
            for mod in mods:  # a module with a minimum version: name>=1.5
                name, _, ver = mod.partition(">=")
                found.append((name, ver or None, [], path))
if not found:
    problem("found no find_package in the CMakeLists.txt files")
needed = set()
for name, ver, comps, path in found:
    rel = os.path.relpath(path, src)
    if name not in CMAKE_TO_SPACK:
        problem(f"{rel} finds '{name}', which package.py does not depend on (add a depends_on, and the name to "
                f"CMAKE_TO_SPACK in {os.path.relpath(__file__, src)})")
        continue
    sp = CMAKE_TO_SPACK[name]
    needed.add(sp)
    if sp not in deps:
        problem(f"{rel} finds '{name}' but package.py has no depends_on('{sp}')")
        continue
    s = dep_specs(sp)
    if ver and f"@{ver}:" not in s:
        problem(f"{rel} needs {name} {ver}: depends_on('{sp}@{ver}:...') missing (have '{s}')")
    for c in comps:
        if name == "Boost" and f"+{c}" not in s:
            problem(f"{rel} needs the Boost component {c}: depends_on('boost+{c}') missing (have '{s}')")
        if name == "HDF5" and c == "HL" and "+hl" not in s:
            problem(f"{rel} needs HDF5's HL component: depends_on('hdf5+hl') missing (have '{s}')")
    if name == "HDF5" and "HDF5_IS_PARALLEL" in open(path, encoding="utf-8").read() and "+mpi" not in s:
        problem(f"{rel} requires a parallel HDF5: depends_on('hdf5+mpi') missing (have '{s}')")
    test_only = rel.startswith("tests" + os.sep)
    types_ = {t for _, k in deps[sp] for t in ((k.get("type"),) if isinstance(k.get("type"), str)
                                                else (k.get("type") or ("build", "link")))}
    if test_only and types_ != {"test"}:
        problem(f"'{sp}' is needed by the tests only ({rel}): depends_on(..., type='test'), not {sorted(types_)}")
top = open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8").read()
cmin = re.search(r"cmake_minimum_required\(VERSION ([0-9.]+)", top).group(1)
if f"cmake@{cmin}:" not in dep_specs("cmake"):
    problem(f"CMakeLists.txt needs CMake {cmin}: depends_on('cmake@{cmin}:', type='build') missing")
for sp, lst in deps.items():
    if sp in needed or sp == "cmake":
        continue
    if all("+python" in (k.get("when") or "") for _, k in lst):
        continue
    problem(f"depends_on('{dep_specs(sp)}') matches nothing the CMake build finds")

# ---- 4. cmake_args ----------------------------------------------------------------------------------------
cmake_names = set(re.findall(r"option\((\w+)", top)) | set(re.findall(r"set\((\w+)", top))
for run_tests in (False, True):
    for native in (False, True):
        v = dict(variants, native=native)
        pkg = Cortexsim(Spec(v))
        pkg.run_tests = run_tests
        args = pkg.cmake_args()
        d = dict(re.fullmatch(r"-D(\w+)(?::\w+)?=(.*)", a).groups() for a in args)
        for k in d:
            if k not in cmake_names:
                problem(f"cmake_args() sets {k}, which CMakeLists.txt neither declares (option) nor sets")
        if d.get("CORTEXSIM_BUILD_TESTS") != ("ON" if run_tests else "OFF"):
            problem(f"CORTEXSIM_BUILD_TESTS={d.get('CORTEXSIM_BUILD_TESTS')} with run_tests={run_tests}")
        if d.get("CORTEXSIM_NATIVE") != ("ON" if native else "OFF"):
            problem(f"CORTEXSIM_NATIVE={d.get('CORTEXSIM_NATIVE')} with native={native}")
print(f"variants: {variants}; versions: {versions}")
print("depends_on: " + "; ".join(f"{s} {k}" if k else s for lst in deps.values() for s, k in lst))
print(f"CMake finds: {sorted({n for n, *_ in found})}; cmake_args (defaults): {Cortexsim(Spec(variants)).cmake_args()}")

# ---- 5. data folders and the checkout ----------------------------------------------------------------------
for d in re.findall(r'for d in \(([^)]*)\)', text):
    for name in re.findall(r'"([^"]+)"', d):
        if not os.path.isdir(os.path.join(src, name)):
            problem(f"install_data() copies '{name}', which the checkout does not have")
if os.path.realpath(module._CHECKOUT) != os.path.realpath(src):
    problem(f"the default git URL points at {module._CHECKOUT}, not at the checkout {src}")

if problems:
    for p in problems:
        print("FAIL: " + p)
    sys.exit(1)
print("PASS")
