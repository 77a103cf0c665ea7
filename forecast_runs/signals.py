"""What forecast runs tell the layers above them, without knowing them."""

from django.dispatch import Signal

# A run's results were written (sent once the transaction has committed). Argument: run_id.
forecast_run_succeeded = Signal()

# A run has been computed and its results are about to be written (sent on the worker, outside
# any transaction). Argument: run_id. The worker-killed test pauses here to kill the worker.
forecast_run_results_ready = Signal()

# A back-test of the authority ended, finished or failed (sent on the worker). Arguments:
# authority_id, report_id. The runs waiting for it are sent then, and the fits of later months'
# back-tests made ahead (receivers), so the task module need not know the dispatcher, which
# sends its tasks.
backtest_ended = Signal()
