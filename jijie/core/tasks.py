"""The one task API. Apps define background work with `@task` and queue it with
`.enqueue(...)`; the backend is chosen in settings (TASK_BACKEND): in-process by
default, a database-backed queue worked by `manage.py db_worker` in production.

Arguments must be JSON-serialisable (ids, not model instances), because a real queue
stores them.
"""

from django_tasks import TaskResultStatus, default_task_backend, task

__all__ = ["TaskResultStatus", "default_task_backend", "task"]
