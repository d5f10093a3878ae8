from tests.jobs.fixtures import job_storage, worker  # noqa: F401
