import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
application = get_wsgi_application()

if os.environ.get("BOUWREGIE_WARM_SNAPSHOTS") == "1":  # set by `bouwregie serve` (gunicorn --preload)
    from bouwregie.forecast.calibration import warm_latest as warm_latest_calibration
    from bouwregie.monitor.api import warm_latest_figures

    warm_latest_figures()
    warm_latest_calibration()
