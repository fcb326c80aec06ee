"""`python manage.py files_check`: does every stored file the database names exist, whole
(operations.files_check)? Prints "files complete" and exits 0, or one line per problem, exit 1."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from studymarket.operations.files_check import files_check


class Command(BaseCommand):
    help = "Check that every document version's file (size, sha256) and every other stored file exists."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = files_check()
        if not problems:
            self.stdout.write("files complete")
            return
        for problem in problems:
            self.stdout.write(problem)
        raise CommandError(f"{len(problems)} stored file(s) missing or damaged", returncode=1)
