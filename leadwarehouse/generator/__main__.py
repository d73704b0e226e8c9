"""Command line: python -m leadwarehouse.generator --leads N --seed S --out DIR [--shape SHAPE]."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .core import DEFAULT_AS_OF
from .shapes import SHAPES, generate_shape


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m leadwarehouse.generator",
        description="Generate a seeded, deterministic synthetic CRM + marketing-automation export "
        "(the landing files of leadwarehouse.contract) with realistic funnel dynamics, junk, "
        "duplicates and a small rate of malformed rows. Writes DIR/_manifest.json with row and "
        "defect counts.",
    )
    ap.add_argument(
        "--leads", type=int, required=True, metavar="N", help="number of lead records (rows of leads)"
    )
    ap.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default: 42)")
    ap.add_argument(
        "--out", required=True, metavar="DIR", help="landing folder to write (existing outputs are replaced)"
    )
    ap.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="file format (default: parquet)"
    )
    ap.add_argument(
        "--as-of",
        default=DEFAULT_AS_OF,
        metavar="TS",
        help=f"simulation 'now', ISO-8601, UTC if no offset (default: {DEFAULT_AS_OF}); "
        "leads are created over the 18 months before it",
    )
    ap.add_argument(
        "--chunk-size",
        type=int,
        default=50_000,
        metavar="N",
        help="leads per output part, rounded up to whole blocks of 1,000 (default: 50,000); "
        "the rows written are identical for any chunk size",
    )
    ap.add_argument(
        "--shape",
        choices=SHAPES,
        default="contract",
        help="contract: the landing files of leadwarehouse.contract (default); salesforce / hubspot: the "
        "same CRM (same seed, same people and ids) as the tables a Fivetran connector writes "
        "(DIR/<connector_table>.parquet) plus the contract files of what that schema cannot express; "
        "load them with python -m leadwarehouse.connectors",
    )
    ap.add_argument(
        "--connector-parity",
        action="store_true",
        help="with --shape contract: write the CRM exactly as the connector shapes carry it (no rows "
        "with a null or repeated id, the CRM-recorded conversions in lifecycle_events), so the three "
        "shapes build identical marts",
    )
    ap.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    args = ap.parse_args(argv)
    if args.connector_parity and args.shape != "contract":
        ap.error("--connector-parity applies to --shape contract (the connector shapes always are)")
    if (args.shape != "contract" or args.connector_parity) and args.format != "parquet":
        ap.error(
            f"--shape {args.shape} {'--connector-parity ' if args.connector_parity else ''}writes Parquet only"
        )
    t0 = time.time()
    manifest = generate_shape(
        args.out,
        args.leads,
        seed=args.seed,
        shape=args.shape,
        fmt=args.format,
        as_of=args.as_of,
        chunk_size=args.chunk_size,
        connector_parity=args.connector_parity,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(json.dumps(manifest.get("files", manifest.get("row_counts")), indent=2), file=sys.stderr)
        print(f"wrote {args.out} in {time.time() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
