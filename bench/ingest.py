"""Upload pipeline against poppler, measured in the same run.

For a 100-page and a 300-page text PDF and a 100-page PDF with images: the full pipeline
(validate, text of every page, TOC, preview images, thumbnails, fingerprint; what
`upload_store` sets off, run inline) against poppler doing the comparable part of the
work (`pdftotext` on all pages, then `pdftoppm` on the 10 preview pages at the same width).
Medians over several runs; peak memory of the pipeline (web/worker process and its
sandboxed child) measured in a fresh process. Writes bench/results/ingest.json.

    .venv/bin/python bench/ingest.py [--repeat 5]
"""

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import median_seconds, write  # noqa: E402

PREVIEW_PAGES = 10
WORDS = (
    "klant verkoop strategie analyse markt waarde relatie proces model kwaliteit meting "
    "account planning inkoop leverancier portfolio segment tevredenheid organisatie "
    "management digitale evolutie casus examen definitie begrip theorie praktijk"
).split()


def _text_pdf(pages: int, *, images: bool, seed: int) -> bytes:
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    width, height = A4
    photos = []
    if images:
        for i in range(26):  # photo-like images, reused as a real document would not, but sized like photos
            noise = Image.effect_noise((1600, 1000), 40 + i).convert("RGB")
            buffer = io.BytesIO()
            noise.save(buffer, "JPEG", quality=80)
            photos.append(ImageReader(io.BytesIO(buffer.getvalue())))
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(
            60, height - 70, f"{number // 10 + 1}.{number % 10 + 1} Hoofdstuk over {rng.choice(WORDS)}"
        )
        canvas.setFont("Helvetica", 10)
        y = height - 100
        if images and photos:
            canvas.drawImage(photos[number % len(photos)], 60, height - 400, width=480, height=300)
            y = height - 420
        while y > 60:
            canvas.drawString(60, y, " ".join(rng.choice(WORDS) for _ in range(14)))
            y -= 14
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _poppler(path: Path, workdir: Path) -> None:
    subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), str(workdir / "out.txt")], check=True, timeout=300
    )
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "1",
            "-l",
            str(PREVIEW_PAGES),
            "-scale-to-x",
            "1100",
            "-scale-to-y",
            "-1",
            "-png",
            str(path),
            str(workdir / "page"),
        ],
        check=True,
        timeout=300,
    )


def measure_pipeline(path: Path, repeat: int) -> dict[str, object]:
    """Run in a fresh process: set up Django on a temporary data folder, time the pipeline."""
    data = tempfile.mkdtemp(prefix="bench-ingest-")
    os.environ.update(
        DATA_DIR=data,
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from studymarket.accounts.services import seller_profile_create, user_create
    from studymarket.documents.models import Document, DocumentVersion, VersionStatus
    from studymarket.selling.services import upload_store

    call_command("migrate", verbosity=0)
    user = user_create(email="bench@example.test", password="bench-wachtwoord-2026")
    seller = seller_profile_create(user=user, display_name="bench-seller")
    content = path.read_bytes()

    def run() -> None:
        version = upload_store(seller=seller, file=ContentFile(content), original_name=path.name)
        version = DocumentVersion.objects.get(pk=version.pk)
        if version.status != VersionStatus.ACCEPTED:
            raise RuntimeError(f"pipeline ended in {version.status}: {version.reason_code}")
        # Each run starts from an empty platform, so the originality check finds no copy.
        for document in Document.objects.all():
            document.current_version = None
            document.save(update_fields=["current_version"])
        Document.objects.all().delete()

    median, times = median_seconds(run, repeat=repeat)
    return {
        "median_s": median,
        "times_s": times,
        "peak_rss_mb_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_pipeline(args.measure, args.repeat)))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-files-"))
    files = {
        "text_100p": _text_pdf(100, images=False, seed=1),
        "text_300p": _text_pdf(300, images=False, seed=2),
        "images_100p": _text_pdf(100, images=True, seed=3),
    }
    figures: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    ratio: dict[str, dict[str, float]] = {}
    for name, content in files.items():
        path = work / f"{name}.pdf"
        path.write_bytes(content)
        out = work / name
        out.mkdir()
        poppler_median, poppler_times = median_seconds(partial(_poppler, path, out), repeat=args.repeat)
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--measure",
                str(path),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=3600,
        )
        pipeline = json.loads(result.stdout.strip().splitlines()[-1])
        figures[name] = {
            "size_mb": round(len(content) / 1e6, 2),
            **pipeline,
            "measure_wall_s": round(time.perf_counter() - started, 1),
        }
        reference[name] = {
            "tool": "pdftotext (all pages) + pdftoppm (10 pages, 1100 px wide, PNG)",
            "median_s": poppler_median,
            "times_s": poppler_times,
        }
        ratio[name] = {"pipeline_over_poppler": round(pipeline["median_s"] / poppler_median, 2)}
        print(
            f"{name}: pipeline {pipeline['median_s']:.2f} s, poppler {poppler_median:.2f} s, "
            f"ratio {ratio[name]['pipeline_over_poppler']}, "
            f"child peak {pipeline['peak_rss_mb_child']:.0f} MB, "
            f"process peak {pipeline['peak_rss_mb_process']:.0f} MB"
        )
    path = write(
        "ingest",
        figures=figures,
        reference=reference,
        ratio=ratio,
        goal={"pipeline_over_poppler": "<= 1.0 on every file", "peak_rss_mb_300p": "< 200"},
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
