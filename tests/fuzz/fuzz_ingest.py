"""Fuzz the upload pipeline's PDF pass with mutated PDFs; run on demand, not by pytest.

    .venv/bin/python tests/fuzz/fuzz_ingest.py --count 10000 [--seed N] [--workers 1]
    .venv/bin/python tests/fuzz/fuzz_ingest.py --replay FILE.pdf   # one file, both ways

Every input is a seed from tests/fuzz/seeds.py changed by tests/fuzz/mutations.py; input i of
run seed N is always the same bytes. Inputs go, 500 at a time, to a long-lived child process
that runs them through the code the sandboxed worker child runs (pdf/extract.py ``extract``,
with the job the worker builds, events serialised as the sandbox does), under the worker's
memory and CPU limits; so a segfault or hang in PDFium or qpdf kills one chunk's child, and
the child names the input it was on. The expected outcomes are "extracted" and "rejected"
(PdfRejected with its code). Anything else is a finding: an exception of another type, a
signal, the CPU limit, a hang past the wall-clock limit, MemoryError. A finding is run again
alone in a fresh child, saved (when under 50 KB, at most three of each kind) as
tests/fuzz/findings/<kind>-<sha1>.pdf with a .txt that says what happened, and then run
through the real pipeline's parent side (extraction.extraction_run, sandboxed), which must
turn it into a rejection and leave no workspace or child process behind.

A sample of ordinary inputs also goes through the real pipeline, to check that the in-process
oracle and the sandboxed child agree. The figures are printed at the end; tests/fuzz/README.md
records the last full run.
"""

import argparse
import atexit
import collections
import hashlib
import json
import logging
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FINDINGS = Path(__file__).resolve().parent / "findings"
_CHUNK = 500
_SAVED_PER_KIND = 3
_SAVED_MAX_BYTES = 50_000
_STARTUP_SECONDS = 30


# --- The child: runs inputs in-process, one JSON line per start and per outcome. ----------


def child_main() -> int:
    """Reads {"job": {...}, "inputs": [[index, path], ...]} on stdin."""
    import faulthandler

    from studymarket.documents.pdf.checks import PdfRejected
    from studymarket.documents.pdf.extract import extract
    from studymarket.documents.pdf.job import ExtractJob

    faulthandler.enable()  # a segfault or abort in C prints the Python stack to stderr
    request = json.load(sys.stdin)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what a library prints is not a result
    time_limit = int(request["time_limit"])

    def say(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    def emit(event: dict[str, Any]) -> None:
        # As pdf/sandbox.py writes each event (an unencodable text would fail there).
        json.dumps(event, ensure_ascii=False).encode("utf-8")

    for index, path in request["inputs"]:
        out_dir = tempfile.mkdtemp(dir=request["scratch"])
        job = ExtractJob(**{**request["job"], "path": path, "out_dir": out_dir})
        # The worker's child gets the time limit in CPU seconds for its one file; this child
        # gets it afresh for each input (the parent left the hard limit far off).
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(usage.ru_utime + usage.ru_stime)
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        resource.setrlimit(resource.RLIMIT_CPU, (spent + time_limit + 1, hard))
        say({"start": index})
        try:
            extract(job, emit)
            say({"index": index, "outcome": "extracted"})
        except PdfRejected as rejected:
            say({"index": index, "outcome": f"rejected:{rejected.code.value}"})
        except MemoryError:
            say({"index": index, "outcome": "memory-error", "detail": traceback.format_exc()})
            return 0  # the parent starts a fresh child for the rest
        except Exception as error:  # every other exception is what we look for
            say({"index": index, "outcome": _exception_kind(error), "detail": traceback.format_exc()})
        finally:
            for name in os.listdir(out_dir):
                os.unlink(os.path.join(out_dir, name))
            os.rmdir(out_dir)
    return 0


def _exception_kind(error: BaseException) -> str:
    """The exception's type and the innermost line of ours it passed (else the innermost
    line): one kind per bug, named where it would be caught or prevented."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if f"{os.sep}studymarket{os.sep}" in frame.filename] or frames
    where = f"-{Path(ours[-1].filename).stem}.{ours[-1].lineno}" if ours else ""
    return f"exception-{type(error).__name__}{where}"


# --- The parent: makes inputs, feeds children, watches them. -------------------------------


@dataclass
class Finding:
    index: int
    kind: str
    origin: str
    detail: str
    data: bytes = field(repr=False)
    alone: str = ""  # the outcome when run alone in a fresh child
    pipeline: str = ""  # what the real pipeline makes of it
    saved: str = ""


@dataclass
class Run:
    job: dict[str, Any]
    time_limit: int
    memory_bytes: int
    outcomes: dict[int, str] = field(default_factory=dict)  # by input number
    findings: list[Finding] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _child_environment() -> dict[str, str]:
    from studymarket.documents.extraction import _child_environment as sandbox_environment

    return sandbox_environment()


def _start_child(
    run: Run, inputs: list[tuple[int, str]], *, scratch: str, stderr: Any
) -> subprocess.Popen[bytes]:
    from studymarket.documents.extraction import _limit_address_space, _limit_child

    # The worker's limits (address space, no core files, dies with its parent); the CPU limit
    # is set per input by the child itself, so the one given here only bounds the whole chunk.
    child = subprocess.Popen(
        [sys.executable, "-E", "-s", str(Path(__file__).resolve()), "--child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        cwd=ROOT,
        env=_child_environment(),
        preexec_fn=partial(_limit_child, cpu_seconds=10**6),
        close_fds=True,
    )
    _limit_address_space(child, run.memory_bytes)
    assert child.stdin is not None
    request = {"job": run.job, "time_limit": run.time_limit, "inputs": inputs, "scratch": scratch}
    try:
        child.stdin.write(json.dumps(request).encode())
        child.stdin.close()
    except BrokenPipeError:
        pass
    return child


def _lines(child: subprocess.Popen[bytes], deadline: list[float]) -> Any:
    """The child's output lines as they come; None when ``deadline[0]`` passes first."""
    assert child.stdout is not None
    fd, buffer = child.stdout.fileno(), b""
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline[0] - time.monotonic()))
        if not ready:
            yield None
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        buffer += chunk


def run_inputs(run: Run, inputs: list[tuple[int, str]]) -> dict[int, tuple[str, str]]:
    """Each input's outcome and detail, restarting the child after it dies on one."""
    results: dict[int, tuple[str, str]] = {}
    pending = list(inputs)
    while pending:
        before = len(results)
        # The images of the input a child died on stay in scratch; it goes with the child.
        with tempfile.TemporaryFile() as stderr, tempfile.TemporaryDirectory(prefix="fuzz-out-") as scratch:
            child = _start_child(run, pending, scratch=scratch, stderr=stderr)
            current: int | None = None
            deadline = [time.monotonic() + _STARTUP_SECONDS]
            timed_out = False
            for message in _lines(child, deadline):
                if message is None:
                    timed_out = True
                    child.kill()
                    break
                if "start" in message:
                    current = message["start"]
                    deadline[0] = time.monotonic() + run.time_limit + 5
                else:
                    results[message["index"]] = (message["outcome"], message.get("detail", ""))
                    current = None
            child.wait()
            assert child.stdout is not None
            child.stdout.close()
            stderr.seek(0)
            tail = stderr.read()[-4000:].decode(errors="replace")
        if current is not None:
            results[current] = (_death_kind(child.returncode, timed_out), tail)
        elif len(results) == before:
            raise RuntimeError(f"the fuzz child ran none of its inputs (exit {child.returncode}):\n{tail}")
        pending = [(index, path) for index, path in pending if index not in results]
    return results


def _death_kind(returncode: int, timed_out: bool) -> str:
    if timed_out:
        return "hang"
    if returncode == -signal.SIGXCPU:
        return "cpu-limit"
    if returncode < 0:
        return f"crash-{signal.Signals(-returncode).name}"
    return f"exit-{returncode}"


def _alone(run: Run, data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        return run_inputs(run, [(0, file.name)])[0][0]


def _expected(outcome: str) -> bool:
    return outcome == "extracted" or outcome.startswith("rejected:")


def _chunk(run: Run, chunk: list[tuple[int, bytes, str]], workdir: Path) -> None:
    inputs = []
    for index, data, _ in chunk:
        path = workdir / f"{index}.pdf"
        path.write_bytes(data)
        inputs.append((index, str(path)))
    results = run_inputs(run, inputs)
    found = []
    for index, data, origin in chunk:
        outcome, detail = results[index]
        if not _expected(outcome):
            found.append(Finding(index, outcome, origin, detail, data))
    with run.lock:
        run.outcomes.update((index, outcome) for index, (outcome, _) in results.items())
        run.findings.extend(found)
    for _, name in inputs:
        os.unlink(name)


def fuzz(run: Run, *, seed: int, count: int, workers: int) -> tuple[int, int]:
    """Runs ``count`` distinct inputs; returns (inputs made, duplicates skipped)."""
    from tests.fuzz.mutations import mutation
    from tests.fuzz.seeds import seed_pdfs

    seeds = list(seed_pdfs().items())
    seen: set[bytes] = set()
    chunks: list[list[tuple[int, bytes, str]]] = [[]]
    index = 0
    while len(seen) < count:
        data, origin = mutation(random.Random(f"{seed}:{index}"), seeds)
        digest = hashlib.sha1(data).digest()
        if digest not in seen:
            seen.add(digest)
            if len(chunks[-1]) == _CHUNK:
                chunks.append([])
            chunks[-1].append((index, data, origin))
        index += 1
    with tempfile.TemporaryDirectory(prefix="fuzz-inputs-") as workdir, ThreadPoolExecutor(workers) as pool:
        done = 0
        for _ in pool.map(partial(_chunk, run, workdir=Path(workdir)), chunks):
            done += 1
            print(
                f"  chunk {done}/{len(chunks)}: {len(run.outcomes)} inputs, {len(run.findings)} findings",
                flush=True,
            )
    return index, index - count


# --- The real pipeline, for findings and a sample. ----------------------------------------


def pipeline_outcome(data: bytes) -> str:
    """What the worker's parent side makes of a file: as processing.document_version_process
    runs it (a workspace, extract_job with the platform's settings, the sandboxed child)."""
    from studymarket.documents.extraction import (
        ExtractionBroken,
        ExtractionRejected,
        _workspaces_root,
        extract_job,
        extraction_run,
        extraction_workspace,
    )
    from tests.processes import child_pids

    before = child_pids()
    try:
        with extraction_workspace() as workdir:
            source = workdir / "source.pdf"
            source.write_bytes(data)
            extraction_run(extract_job(source, workdir, text=True, by_length=True))
        outcome = "extracted"
    except ExtractionRejected as rejected:
        outcome = f"rejected:{rejected.code.value}"
    except ExtractionBroken as broken:
        outcome = f"broken ({broken})"
    except Exception as error:  # what escapes the parent side is a bug
        outcome = f"UNCAUGHT {type(error).__name__}: {error}"
    root = _workspaces_root()
    left = sorted(path.name for path in root.iterdir()) if root.exists() else []
    if left:
        outcome += f"; LEFT BEHIND {left}"
    if child_pids() - before:
        outcome += "; CHILD LEFT RUNNING"
    return outcome


def _django() -> None:
    # A data folder of our own: workspaces left behind show up there, and nothing touches var/.
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="fuzz-data-")
    atexit.register(shutil.rmtree, os.environ["DATA_DIR"], ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    # The parent side logs a child's traceback; pipeline_outcome reports it in one line.
    logging.getLogger("studymarket.documents.extraction").setLevel(logging.CRITICAL)


def _new_run(time_limit: int | None) -> Run:
    from django.conf import settings

    from studymarket.documents.extraction import extract_job

    with tempfile.TemporaryDirectory() as workdir:
        job = extract_job(Path(workdir) / "source.pdf", Path(workdir), text=True, by_length=True)
    return Run(
        job=asdict(job),
        time_limit=time_limit or settings.PROCESSING_TIME_LIMIT_SECONDS,
        memory_bytes=settings.PROCESSING_MEMORY_LIMIT_MB * 1024 * 1024,
    )


def _save(finding: Finding, seed: int) -> str:
    digest = hashlib.sha1(finding.data).hexdigest()
    name = f"{finding.kind}-{digest}"
    FINDINGS.mkdir(exist_ok=True)
    (FINDINGS / f"{name}.pdf").write_bytes(finding.data)
    (FINDINGS / f"{name}.txt").write_text(
        f"kind: {finding.kind}\nrun: --seed {seed}, input {finding.index} ({finding.origin})\n"
        f"alone in a fresh child: {finding.alone}\nreal pipeline: {finding.pipeline}\n\n{finding.detail}\n"
    )
    return name


def report(
    run: Run, *, seed: int, seconds: float, made: int, duplicates: int, sample: dict[str, str]
) -> None:
    total = len(run.outcomes)
    print(f"\nseed {seed}: {total} distinct inputs ({made} made, {duplicates} duplicates) in {seconds:.0f} s")
    for outcome, number in collections.Counter(run.outcomes.values()).most_common():
        print(f"  {number:6d}  {outcome}")
    kinds = collections.defaultdict(list)
    for finding in run.findings:
        kinds[finding.kind].append(finding)
    print(f"\nfindings: {len(run.findings)} inputs, {len(kinds)} kinds")
    for kind, findings in kinds.items():
        print(f"  {kind}: {len(findings)} inputs")
        for finding in findings:
            if finding.pipeline:
                print(
                    f"    input {finding.index} ({finding.origin}), {len(finding.data)} bytes: alone "
                    f"{finding.alone}; pipeline {finding.pipeline}; {finding.saved or 'not saved'}"
                )
    mismatches = {key: value for key, value in sample.items() if not value.startswith("same")}
    print(f"\nsample through the real pipeline: {len(sample)} inputs, {len(mismatches)} disagree")
    for key, value in mismatches.items():
        print(f"  {key}: {value}")


def _sample(seed: int, size: int, results: dict[int, str]) -> dict[str, str]:
    """``size`` inputs chosen by the seed, run through the real pipeline and compared."""
    from tests.fuzz.mutations import mutation
    from tests.fuzz.seeds import seed_pdfs

    seeds = list(seed_pdfs().items())
    compared = {}
    for index in sorted(random.Random(seed).sample(sorted(results), min(size, len(results)))):
        data, _ = mutation(random.Random(f"{seed}:{index}"), seeds)
        real = pipeline_outcome(data)
        same = real == results[index] or (not _expected(results[index]) and real.startswith("rejected:"))
        compared[f"input {index}"] = (
            f"{'same' if same else 'DIFFERENT'}: oracle {results[index]}, pipeline {real}"
        )
    return compared


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="distinct inputs to run")
    parser.add_argument("--seed", type=int, default=None, help="run seed (printed; default: random)")
    parser.add_argument("--workers", type=int, default=1, help="child processes at once")
    parser.add_argument(
        "--time-limit", type=int, default=None, help="seconds per input (default: the worker's)"
    )
    parser.add_argument("--sample", type=int, default=100, help="inputs also run through the real pipeline")
    parser.add_argument("--no-save", action="store_true", help="do not write tests/fuzz/findings/")
    parser.add_argument("--replay", type=Path, help="run one file through the oracle and the pipeline")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main()
    _django()
    run = _new_run(args.time_limit)
    if args.replay:
        data = args.replay.read_bytes()
        oracle = run_inputs(run, [(0, str(args.replay.resolve()))])[0]
        print(f"oracle: {oracle[0]}\n{oracle[1]}\npipeline: {pipeline_outcome(data)}")
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(
        f"fuzz seed {seed}: {args.count} inputs, {args.workers} worker(s), "
        f"{run.time_limit} s and {run.memory_bytes >> 20} MB per input",
        flush=True,
    )
    started = time.monotonic()
    made, duplicates = fuzz(run, seed=seed, count=args.count, workers=args.workers)
    seconds = time.monotonic() - started
    examined: collections.Counter[str] = collections.Counter()
    for finding in sorted(run.findings, key=lambda finding: len(finding.data)):
        # The smallest few of each kind: alone in a fresh child (does it depend on what the
        # chunk's child ran before?), then through the real pipeline.
        if examined[finding.kind] < _SAVED_PER_KIND:
            examined[finding.kind] += 1
            finding.alone = _alone(run, finding.data)
            finding.pipeline = pipeline_outcome(finding.data)
            if not args.no_save and len(finding.data) < _SAVED_MAX_BYTES:
                finding.saved = _save(finding, seed)
    sample = _sample(seed, args.sample, run.outcomes) if args.sample else {}
    report(run, seed=seed, seconds=seconds, made=made, duplicates=duplicates, sample=sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
