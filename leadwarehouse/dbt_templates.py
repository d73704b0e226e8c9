"""dbt's Jinja templates compiled to Python once, not again in every dbt process.

dbt renders every model, test and macro call through Jinja, and Jinja turns each template's text
into Python code (parse, generate Python source, `compile()`) each time a process meets it: dbt
keeps no compiled template from one command to the next. Profiled (py-spy, 2026-12-07, this
machine): an hourly refresh of 2,000 leads spent 2.5 s of its ~20 s of Python in Jinja's compile,
a full parse of the project 4.7 s of ~25 s.

`cache_compiled_templates()` keeps each compiled template as a file named by a hash of everything
the code depends on: the template's text, name and file name, the environment's class, syntax
settings, extensions, filters and tests (how each takes its arguments), finalize and autoescape,
and the versions of Jinja, dbt-core, dbt-common and Python's bytecode. Another text or setting is
another file, so an entry is never stale; a file that cannot be read is compiled again. Files are
written whole under a temporary name and renamed, so processes may share the folder.

The folder: $LEAD_TEMPLATE_CACHE, or `.template_cache` in the project folder (`make clean` removes
it); `off` (or an empty value) compiles every time, as dbt does. A folder that cannot be written
only means no caching. Once a day the first process that writes an entry removes those not
written for two weeks: edited models leave no files behind for long.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

CACHE_VARIABLE = "LEAD_TEMPLATE_CACHE"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = PROJECT_DIR / ".template_cache"
OFF = {"", "off", "0", "false", "no", "none"}
# an entry not written again for this long goes (a template still in use is compiled once more),
# and so does the folder of another version of Jinja, dbt or Python
KEEP_SECONDS = 14 * 24 * 3600
PRUNE_EVERY_SECONDS = 24 * 3600


def cache_folder(env: dict[str, str] | None = None) -> Path | None:
    """Where compiled templates are kept (None: not kept)."""
    env = os.environ if env is None else env
    value = env.get(CACHE_VARIABLE)
    if value is None:
        return DEFAULT_FOLDER
    value = value.strip()
    return None if value.lower() in OFF else Path(value).expanduser()


def _versions() -> str:
    found = []
    for package in ("jinja2", "dbt-core", "dbt-common"):
        try:
            found.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package}=none")
    return ";".join([*found, importlib.util.MAGIC_NUMBER.hex(), sys.implementation.cache_tag])


def takes(function) -> str | None:
    """How Jinja passes `function` its context, if it does (`@pass_context` and the like)."""
    if function is None:
        return None
    try:
        return _takes(function)
    except TypeError:  # unhashable: not remembered
        return _takes.__wrapped__(function)


# remembered by function: dbt makes a new environment for each template, with the same few
# hundred functions (asked ~100 times a compile)
@functools.lru_cache(maxsize=10_000)
def _takes(function) -> str:
    from jinja2.utils import _PassArg

    return str(_PassArg.from_obj(function))


def version_folder(folder: Path | str, versions: str) -> Path:
    """The folder under `folder` for what was made by the packages `versions` names (prune()
    removes those no longer written to)."""
    return Path(folder) / hashlib.sha256(versions.encode()).hexdigest()[:16]


def environment_settings(environment, name: str | None) -> tuple:
    """What Jinja's code generation reads from `environment` besides the template itself."""

    autoescape = environment.autoescape
    return (
        f"{type(environment).__module__}.{type(environment).__qualname__}",
        f"{environment.code_generator_class.__module__}.{environment.code_generator_class.__qualname__}",
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        bool(autoescape(name)) if callable(autoescape) else bool(autoescape),
        environment.finalize is not None and takes(environment.finalize),
        sorted(f"{type(e).__module__}.{type(e).__qualname__}" for e in environment.extensions.values()),
        sorted((key, takes(value)) for key, value in environment.filters.items()),
        sorted((key, takes(value)) for key, value in environment.tests.items()),
        sorted(getattr(environment, "intercepted_binops", ())),
        sorted(getattr(environment, "intercepted_unops", ())),
    )


def cache_compiled_templates(folder: Path | None | str = "default") -> bool:
    """Patch Jinja's Environment.compile to keep what it compiles in `folder` (cache_folder() by
    default). Idempotent; returns whether templates are cached."""
    import jinja2
    from jinja2.utils import internal_code

    compile_text = jinja2.Environment.compile
    if getattr(compile_text, "cache_folder", None) is not None:
        return True
    folder = cache_folder() if folder == "default" else folder
    if folder is None:
        return False
    versions = _versions()
    root = version_folder(folder, versions)
    pruned = False

    def compile_cached(self, source, name=None, filename=None, raw=False, defer_init=False):
        nonlocal pruned
        if raw or not isinstance(source, str):
            return compile_text(self, source, name, filename, raw, defer_init)
        key = hashlib.sha256(
            repr((environment_settings(self, name), name, filename, defer_init)).encode()
            + b"\0"
            + source.encode("utf-8", "surrogatepass")
        ).hexdigest()
        path = root / key[:2] / key
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = compile_text(self, source, name, filename, raw, defer_init)
        if not pruned:  # the first entry this process writes
            pruned = True
            prune(Path(folder))
        write_whole(path, marshal.dumps(code))
        return code

    compile_cached.cache_folder = root
    compile_cached.__wrapped__ = compile_text
    internal_code.add(compile_cached.__code__)  # left out of template tracebacks, as Jinja's own
    jinja2.Environment.compile = compile_cached
    return True


def prune(folder: Path, now: float | None = None) -> None:
    """At most once a day (the time of the last pass is the marker file's): remove the entries
    under `folder` not written for KEEP_SECONDS, and the version folders left empty."""
    now = time.time() if now is None else now
    marker = folder / ".pruned"
    try:
        if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    write_whole(marker, b"")
    with contextlib.suppress(OSError):
        for version in [path for path in folder.iterdir() if path.is_dir()]:
            for entry in version.glob("*/*"):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > KEEP_SECONDS:
                        entry.unlink()
            for bucket in [*version.iterdir(), version]:
                with contextlib.suppress(OSError):
                    bucket.rmdir()  # only when empty


def write_whole(path: Path, data: bytes) -> None:
    """`data` into `path` whole (a temporary file renamed); nothing when the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass
