"""With a broker (production), a long import's steps are owed through the outbox as a Celery task: the
upload used to answer 500 because the step function was not a task (it has no name to queue)."""

import pytest

from config.celery import app as celery_app
from techmarket.imports import background
from techmarket.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", ["import_job_check", "import_job_run"])
def test_a_background_step_is_owed_as_a_registered_task(settings, step):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    background.submit(step, 4242)
    message = OutboxMessage.objects.get()
    assert message.task == "techmarket.imports.tasks.import_job_step_task"
    assert message.args == [step, 4242]
    assert message.task in celery_app.tasks  # the worker can run what the dispatcher queues by name
