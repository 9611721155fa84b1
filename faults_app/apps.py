from django.apps import AppConfig


class FaultsConfig(AppConfig):
    name = "faults_app"

    def ready(self):
        # Every manage.py command of the cell comes here once: the fault of its step, if any.
        from faults_app import faults

        faults.commit()
