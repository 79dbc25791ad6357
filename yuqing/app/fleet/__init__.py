"""Crawls on a fleet of Scrapyd nodes (settings.yaml ``crawl.backend: scrapyd``, issue 15).

* :mod:`.client`: Scrapyd's JSON API (daemonstatus, schedule, listjobs, status, cancel,
  addversion, listversions, delversion) for one node; its errors name node, endpoint, reason;
* :mod:`.dispatch`: :class:`~.dispatch.FleetRunner`, the scheduler's crawl runner for the
  fleet — each due crawl goes to the least-loaded healthy node, its node and job id are
  recorded in ``crawl_runs``, and a crawl whose node died is dispatched again;
* :mod:`.deploy`: builds the project egg, uploads it to every node, deletes older versions;
* :mod:`.eggboot`: the egg's settings module on a node: unpacks the egg into a cache that
  keeps the running and the previous version.
"""
