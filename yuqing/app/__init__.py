"""The application layer: the ``yuqing`` CLI, the scheduler process and the web app."""
