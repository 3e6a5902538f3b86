"""The scheduler's disk queue (``JOBDIR``: what a killed crawl resumes from), its requests
stored as Scrapy stores them, without a scan of the spider for each one."""

from __future__ import annotations

import inspect
from typing import Any

from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue


class _Callbacks:
    """The spider's methods, bound, as attributes of an object that has nothing else: what
    ``Request.to_dict`` looks a request's callback up in by ``inspect.getmembers``."""

    def __init__(self, spider: Any) -> None:
        for name, _ in inspect.getmembers(type(spider), inspect.isfunction):
            if not name.startswith("__"):
                setattr(self, name, getattr(spider, name))


class RequestDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's ``PickleLifoDiskQueue`` (its default), each request's dict the same.

    ``Request.to_dict(spider=...)`` names a request's callback and errback by scanning every
    attribute of the spider (``inspect.getmembers``) for each request pushed: 3.6 % of the
    reactor's thread in a ``--workers 2`` crawl (py-spy). Here it scans an object holding
    only the spider's methods, made once; a callback not among them (not a method of the
    spider's class) is looked up in the spider itself, as before."""

    def push(self, request: Request) -> None:
        callbacks = getattr(self, "_callbacks", None)
        if callbacks is None:
            callbacks = self._callbacks = _Callbacks(self.spider)
        try:
            request_dict = request.to_dict(spider=callbacks)  # type: ignore[arg-type]
        except ValueError:  # not a method of the spider's class: Scrapy's own lookup
            request_dict = request.to_dict(spider=self.spider)
        super(PickleLifoDiskQueue, self).push(request_dict)  # type: ignore[misc]  # Scrapy's, past its to_dict
