"""Lab-machine jobs (rebuild, patch, license, configure) run through ansible-runner."""

from __future__ import annotations

from .job import JobRefused, run_job
from .model import HostResult, HostStatus, JobKind, JobRequest, JobResult, Progress

__all__ = ["HostResult", "HostStatus", "JobKind", "JobRefused", "JobRequest", "JobResult", "Progress", "run_job"]
