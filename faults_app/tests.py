"""Django tests that run inside the faults cell: ``manage.py test faults_app``."""
from django.test import SimpleTestCase


class IndexTests(SimpleTestCase):
    def test_index_loads_the_client(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "faults_app/client.js")
