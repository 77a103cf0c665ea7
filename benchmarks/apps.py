from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "benchmarks"
    verbose_name = "DfE published statistics"

    def ready(self) -> None:
        # The two deployment-wide imports (published statistics, statistical neighbours) register themselves.
        from benchmarks import importers, neighbour_import  # noqa: F401
