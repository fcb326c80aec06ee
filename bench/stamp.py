"""Stamping a buyer's copy against `qpdf --overlay`, measured in the same run.

For a 100-page text PDF and a 100-page PDF with photos: our stamping (library.stamping.stamp_pdf:
make the one-page stamp with reportlab, overlay it on every page with pikepdf, write the mark
into /ID and XMP, save) against qpdf's command line overlaying that same stamp.pdf on every page
(`qpdf --overlay stamp.pdf --repeat=1 -- in.pdf out.pdf`). Ours also makes the stamp and
writes the mark, which qpdf is not asked to do. Medians over several runs; goal ≤ 1.0× qpdf.
Writes bench/results/stamp.json.

    .venv/bin/python bench/stamp.py [--repeat 15]
"""

import argparse
import io
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402

from bench.ingest import _text_pdf  # noqa: E402
from bench.recording import median_seconds, write  # noqa: E402
from studymarket.library.stamping import marks_read, stamp_page_pdf, stamp_pdf  # noqa: E402

TEXT = "Gekocht door Anna de Vries · bestelling SM-ABCD2345"
MARK = "0123456789abcdef0123456789abcdef"
GOAL = 1.0
QPDF_COMMAND = "qpdf --overlay stamp.pdf --repeat=1 -- in.pdf out.pdf"


def _qpdf(stamp: Path, source: Path, target: Path) -> None:
    subprocess.run(
        ["qpdf", "--overlay", str(stamp), "--repeat=1", "--", str(source), str(target)],
        check=True,
        timeout=300,
    )


def _ours(source: Path, target: Path) -> None:
    stamp_pdf(source=source, target=target, text=TEXT, mark=MARK)


def _stamped_pages(path: Path) -> int:
    """Pages with a form XObject among their resources, which the test documents have only
    once stamped: a check that both tools did the whole job."""
    with pikepdf.open(path) as pdf:
        return sum(
            1
            for page in pdf.pages
            if any(x.get("/Subtype") == "/Form" for x in page.obj.Resources.get("/XObject", {}).values())
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-stamp-"))
    stamp = work / "stamp.pdf"
    stamp.write_bytes(stamp_page_pdf(TEXT))
    qpdf_version = subprocess.run(["qpdf", "--version"], capture_output=True, text=True, check=True)
    files = {
        "text_100p": _text_pdf(100, images=False, seed=1),
        "images_100p": _text_pdf(100, images=True, seed=3),
    }
    figures: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    ratio: dict[str, dict[str, float]] = {}
    for name, content in files.items():
        source = work / f"{name}.pdf"
        source.write_bytes(content)
        ours_out, qpdf_out = work / f"{name}-ours.pdf", work / f"{name}-qpdf.pdf"
        ours_median, ours_times = median_seconds(partial(_ours, source, ours_out), repeat=args.repeat)
        qpdf_median, qpdf_times = median_seconds(partial(_qpdf, stamp, source, qpdf_out), repeat=args.repeat)
        if marks_read(ours_out.read_bytes()) != [MARK]:
            raise RuntimeError(f"{name}: our copy lost its mark")
        with pikepdf.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
        figures[name] = {
            "pages": pages,
            "size_mb": round(len(content) / 1e6, 2),
            "tool": f"pikepdf {pikepdf.__version__} (libqpdf {pikepdf.__libqpdf_version__}) + reportlab",
            "median_s": ours_median,
            "times_s": ours_times,
            "output_mb": round(ours_out.stat().st_size / 1e6, 2),
            "pages_stamped": _stamped_pages(ours_out),
        }
        reference[name] = {
            "tool": f"{qpdf_version.stdout.splitlines()[0]}: {QPDF_COMMAND}",
            "median_s": qpdf_median,
            "times_s": qpdf_times,
            "output_mb": round(qpdf_out.stat().st_size / 1e6, 2),
            "pages_stamped": _stamped_pages(qpdf_out),
        }
        ratio[name] = {"ours_over_qpdf": round(ours_median / qpdf_median, 2)}
        print(
            f"{name}: ours {ours_median * 1000:.1f} ms, qpdf --overlay {qpdf_median * 1000:.1f} ms, "
            f"ratio {ratio[name]['ours_over_qpdf']}"
        )
    path = write(
        "stamp",
        figures=figures,
        reference=reference,
        ratio=ratio,
        goal={
            "ours_over_qpdf_at_most": GOAL,
            "met": all(r["ours_over_qpdf"] <= GOAL for r in ratio.values()),
            "note": "ours includes making the stamp PDF and writing the /ID and XMP mark",
        },
    )
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
