"""Seeded, deterministic synthetic CRM + marketing-automation data in the landing-file contract.

``python -m leadwarehouse.generator --leads 20000 --seed 42 --out landing/`` or, from Python,
``generate(out_dir, leads, seed)`` which returns the manifest. See ``core.py`` for the pipeline.
"""

__version__ = "1.0.0"

from .core import DEFAULT_AS_OF, generate  # noqa: E402

__all__ = ["DEFAULT_AS_OF", "generate", "__version__"]
