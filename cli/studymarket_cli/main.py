"""`studymarket`: the seller's command line. Exit codes: 0 done, 1 the site or the input said
no (the message says why), 2 the command was written wrong (argparse's usage message).

The help is in English (argparse writes its own words in English; one language per screen); what
the commands print is Dutch, like the site."""

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from studymarket_cli import __version__, commands
from studymarket_cli.errors import CliError
from studymarket_cli.formats import academic_year_current, academic_year_parse, price_cents_parse
from studymarket_cli.upload import UploadRequest, upload_run

DOCUMENT_TYPES = ("summary", "lecture_notes", "exam", "exam_prep", "assignment", "other")
LANGUAGES = ("nl", "en")


def _price(text: str) -> int:
    try:
        return price_cents_parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(text: str) -> str:
    try:
        return academic_year_parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is geen positief aantal seconden.")
    return value


def parser_build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studymarket",
        description="Sell study documents on studymarket from the command line.",
        epilog="Environment: STUDYMARKET_URL, STUDYMARKET_TOKEN and STUDYMARKET_CONFIG override "
        "the saved site, token and config file.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = sub.add_parser("login", help="save the site and your access token (asks for both)")
    login.add_argument(
        "--site", help="the site's address (default: $STUDYMARKET_URL or https://studymarket.nl)"
    )
    sub.add_parser("logout", help="forget the saved token on this computer")

    upload = sub.add_parser("upload", help="upload a PDF, describe it, price it and publish it")
    upload.add_argument("file", type=Path, metavar="FILE", help="the document (PDF)")
    upload.add_argument("--title", required=True, help="the title buyers see")
    upload.add_argument("--price", required=True, type=_price, help="price incl. VAT in euros: 4,99 or 4.99")
    upload.add_argument("--course", required=True, help="course id, or a name or code to look up")
    upload.add_argument(
        "--type", dest="document_type", choices=DOCUMENT_TYPES, default="summary", help="default: summary"
    )
    upload.add_argument("--year", type=_year, help="academic year, e.g. 2025-2026 (default: the current one)")
    upload.add_argument(
        "--language", choices=LANGUAGES, default="nl", help="the document's language (default: nl)"
    )
    upload.add_argument("--description", default="", help="what the document covers")
    upload.add_argument(
        "--preview-pages", type=int, metavar="N", help="pages buyers may read first (default: by length)"
    )
    upload.add_argument(
        "--wait-timeout",
        type=_positive,
        default=600.0,
        metavar="S",
        help="seconds to wait for processing (default: 600)",
    )

    status = sub.add_parser("status", help="your documents (or one of them) with status and price")
    status.add_argument("id", nargs="?", type=int, metavar="ID")
    sub.add_parser("sales", help="your sales")
    sub.add_parser("earnings", help="your balance: held, available, paid out")
    courses = sub.add_parser("courses", help="look up a course's id")
    courses.add_argument("query", metavar="TEXT")
    return parser


def _out(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(f"{text}\n")
    sys.stderr.flush()


def _run(args: argparse.Namespace) -> None:
    if args.command == "login":
        commands.login(site=args.site, out=_out)
    elif args.command == "logout":
        commands.logout(out=_out)
    elif args.command == "upload":
        request = UploadRequest(
            path=args.file,
            title=args.title,
            price_cents=args.price,
            course=args.course,
            document_type=args.document_type,
            academic_year=args.year or academic_year_current(datetime.now().astimezone().date()),
            language=args.language,
            description=args.description,
            preview_pages=args.preview_pages,
            wait_timeout=args.wait_timeout,
        )
        with commands.client_open() as client:
            upload_run(client, request, out=_out)
    elif args.command == "status":
        commands.status(document_id=args.id, out=_out)
    elif args.command == "sales":
        commands.sales(out=_out)
    elif args.command == "earnings":
        commands.earnings(out=_out)
    elif args.command == "courses":
        commands.courses(query=args.query, out=_out)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser_build().parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        _run(args)
    except CliError as exc:
        _err(exc.message)
        return 1
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D at a question
        _err("\nAfgebroken.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
