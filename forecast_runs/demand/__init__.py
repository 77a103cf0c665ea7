"""The demand forecast a director can trust: an honest back-test, the method chosen by it,
intervals calibrated from it (docs/accuracy.md). Pure pandas: no Django, no model, so the command
``forecast_demand``, ``scripts/accuracy.py`` and (later) the monthly run share it.

- ``replay``: the raw SSDA903 returns as they stood on a past date, cleaned again (``Replayer``).
- ``series``: numbers of children by type and in total on month-ends (``SeriesInputs``).
- ``methods``: the candidate methods on one series (the engine's, and a combination).
- ``backtest``: forecasts on past dates scored against what happened.
- ``selection``: the method of each series and rule 8's treatment of open episodes, by evidence.
- ``intervals``: 10-90% intervals from the back-test's own errors.
- ``forecast``: all of it together (``forecast_returns``, ``forecast_plain_series``).
- ``series_file``: an analyst's ``series, date, value`` file.
- ``command_line``: the work of the command ``forecast_demand``, which ``manage.py`` runs
  without setting Django up.
"""
