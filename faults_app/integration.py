"""What the faults app adds to the settings: itself, its URLs."""

INSTALLED_APPS = ["faults_app.apps.FaultsConfig"]
ROOT_URLCONF = "faults_app.urls"
SETTINGS = {}
