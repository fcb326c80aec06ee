"""Background tasks of the accounts app (django_tasks)."""

from django_tasks import task

from studymarket.accounts.password_reset import password_reset_mail_send
from studymarket.core.task_queues import TASK_PRIORITY_WAITING, URGENT_QUEUE


@task(queue_name=URGENT_QUEUE, priority=TASK_PRIORITY_WAITING)
def password_reset_mail_task(email: str, domain: str, use_https: bool, language: str) -> None:
    """Send the password-reset e-mail that a request asked for (password_reset.py). Takes the
    address, not a user id: the request must not look the account up, so that its work is the
    same for a known address and an unknown one."""
    password_reset_mail_send(email=email, domain=domain, use_https=use_https, language=language)
