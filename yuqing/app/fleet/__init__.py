"""Crawls on a fleet of Scrapyd nodes (settings.yaml ``crawl.backend: scrapyd``, issue 15).

* :mod:`.client`: Scrapyd's JSON API (daemonstatus, schedule, listjobs, status, cancel,
  addversion) for one node;
* :mod:`.dispatch`: :class:`~.dispatch.FleetRunner`, the scheduler's crawl runner for the
  fleet — each due crawl goes to the least-loaded healthy node, its node and job id are
  recorded in ``crawl_runs``, and a crawl whose node died is dispatched again;
* :mod:`.deploy`: builds the project egg and uploads it to every node.
"""
