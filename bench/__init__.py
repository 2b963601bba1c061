"""Speed and size figures for Borgercases, printed as one table (`make bench`).

Not part of the tests. Every figure is measured in one run on this machine, section by section:

- ``site`` (bench/site.py): build times (MkDocs and Zensical), transferred bytes and requests
  for two site pages served with gzip, Lighthouse scores;
- ``app`` (bench/app.py): the facilitator app's cold start against a hello-world Streamlit
  app, server CPU while a timer runs, step changes, and countdown and autosave lag with 30
  meetings open at once in Chromium;
- ``participants`` (bench/participants.py): how fast a step change reaches 30 meetings × 8
  passive follower pages (participants' phones), held open by headless clients that speak
  Streamlit's browser protocol (harness/stclient.py).

    python -m bench                                # everything (`make bench`)
    python -m bench --only participants            # only the follower pages
    python -m bench --only site --only app         # two sections
    PARTICIPANT_MEETINGS=2 PARTICIPANT_PAGES=3 python -m bench --only participants
    PARTICIPANT_SPREAD=30 python -m bench --only participants  # changes over 30 s

Run it from the project's folder. Robust by design: every item that fails prints
"n/a (reason)" instead of stopping the run, every wait has a timeout, every process started
here is stopped in a ``finally``. The exit code is 0 even when a budget fails (it is a report);
failing budgets are marked FAIL.
"""
