"""The Celery app: one per process, configured from Django settings (CELERY_*).

Tasks are routed to queues by kind (settings.CELERY_TASK_ROUTES); a worker started with
``-Q default,inbound,outbound,bulk,routing`` serves them all, and production runs one
worker pool per queue so a flood of bulk sends never starves inbound mail.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kustomer_clone.settings")

app = Celery("kustomer_clone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
