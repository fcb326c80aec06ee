"""What the fuzzer found (tests/fuzz/findings/), and the seeds it mutates, through the worker's
parent side (the sandboxed child, as processing.py runs it): each file is extracted or refused
with a reason; nothing escapes, no workspace or child process is left behind."""

from pathlib import Path

import pytest

from studymarket.documents.reasons import Reason
from tests.fuzz.fuzz_ingest import FINDINGS, pipeline_outcome
from tests.fuzz.seeds import SEEDS

CLEAN = {"extracted"} | {f"rejected:{reason.value}" for reason in Reason}

# Kinds of finding the pipeline does not handle cleanly yet (see tests/fuzz/README.md); an
# entry goes when its fix lands (strict: a file that passes then fails here until it does).
KNOWN: dict[str, str] = {}


def _findings() -> list[object]:
    params: list[object] = []
    for path in sorted(FINDINGS.glob("*.pdf")):
        kind = path.stem.rsplit("-", 1)[0]
        marks = [pytest.mark.xfail(reason=KNOWN[kind], strict=True)] if kind in KNOWN else []
        params.append(pytest.param(path, id=path.stem[: len(kind) + 9], marks=marks))
    return params


@pytest.mark.parametrize("path", _findings())
def test_a_fuzz_finding_is_extracted_or_refused_cleanly(path: Path):
    outcome = pipeline_outcome(path.read_bytes())

    assert outcome in CLEAN


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_a_fuzz_seed_goes_through_the_pipeline(name: str):
    assert pipeline_outcome(SEEDS[name]()) == "extracted"
